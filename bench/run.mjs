// The benchmark runner: Switchboard (dist/) beside the hand-written baseline. For every round and
// scenario it starts a fresh child process of each server, has one load generator give them the
// load in alternating turns (bench/load.mjs), and stops them; the servers' order alternates from
// round to round. Then it prints a side-by-side table of the medians and their ratio
// (Switchboard / baseline).
//
//   npm run bench                       builds, then runs this with the defaults below
//   npm run bench -- --rounds 1 --duration 3 --scenarios ping,chat
//   npm run bench -- --cpu-prof /tmp/profiles   CPU profiles of the server children (see README)
//
// Everything listens on 127.0.0.1 on ports the kernel picks; every child is bounded in time and
// killed if the runner stops or fails.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startChild } from './support/processes.mjs';
import { median } from './support/tables.mjs';

const BENCH_DIR = import.meta.dirname;
const SERVER_START_TIMEOUT_MS = 30_000;
/** A load run may take this long beyond its warm-up and measured window (connecting, settling). */
const LOAD_SLACK_MS = 90_000;

const SERVERS = {
  switchboard: join(BENCH_DIR, 'switchboard-server.mjs'),
  baseline: join(BENCH_DIR, 'baseline-server.mjs'),
};

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    scenarios: { type: 'string', default: 'ping,chat,memory' },
    duration: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    slice: { type: 'string', default: '1' },
    'ping-clients': { type: 'string', default: '50' },
    'chat-clients': { type: 'string', default: '20' },
    idle: { type: 'string', default: '2000' },
    'cpu-prof': { type: 'string' },
    verbose: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    results: { type: 'string', default: join(BENCH_DIR, 'RESULTS.md') },
  },
});

// A check that the benchmark still runs end to end (CI), not a measurement: about a second per
// scenario and server, and no RESULTS.md.
if (options.quick) {
  Object.assign(options, {
    rounds: '1',
    warmup: '0.5',
    duration: '1',
    slice: '0.5',
    'ping-clients': '10',
    'chat-clients': '5',
    idle: '200',
  });
}

/** What each scenario reports and how to show it. */
const SCENARIOS = {
  ping: {
    loadArgs: () => ['--clients', options['ping-clients']],
    metrics: [
      { key: 'opsPerSec', label: 'ack round trips/s', format: perSecond },
      { key: 'p50Ms', label: 'latency p50 (ms)', format: milliseconds },
      { key: 'p99Ms', label: 'latency p99 (ms)', format: milliseconds },
      { key: 'serverCpuUsPerOp', label: 'server CPU per round trip (µs)', format: micros },
      { key: 'serverCpuShare', label: 'server CPU busy', format: percent },
      { key: 'clientCpuShare', label: 'load generator CPU busy', format: percent },
    ],
  },
  chat: {
    loadArgs: () => ['--clients', options['chat-clients']],
    metrics: [
      { key: 'opsPerSec', label: 'chat:send replies/s', format: perSecond },
      { key: 'deliveredPerSec', label: 'chat:message received/s', format: perSecond },
      { key: 'p50Ms', label: 'latency p50 (ms)', format: milliseconds },
      { key: 'p99Ms', label: 'latency p99 (ms)', format: milliseconds },
      { key: 'serverCpuUsPerOp', label: 'server CPU per chat:send (µs)', format: micros },
      { key: 'serverCpuShare', label: 'server CPU busy', format: percent },
      { key: 'clientCpuShare', label: 'load generator CPU busy', format: percent },
    ],
  },
  memory: {
    loadArgs: () => ['--idle', options.idle],
    metrics: [
      { key: 'rssPerSocket', label: 'RSS per idle socket (KB)', format: kilobytes },
      { key: 'heapPerSocket', label: 'heapUsed per idle socket (KB)', format: kilobytes },
    ],
  },
};

function perSecond(value) {
  return Math.round(value).toLocaleString('en-US');
}
function milliseconds(value) {
  return value.toFixed(2);
}
function micros(value) {
  return value.toFixed(1);
}
function percent(value) {
  return `${Math.round(value * 100)}%`;
}
function kilobytes(value) {
  return (value / 1024).toFixed(1);
}

// ---- child processes (bench/support/processes.mjs kills them when the runner exits) ----

/** Resolves with the child's first message of `type`; rejects if it exits or times out first. */
function firstMessage(child, type, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanUp();
      child.kill('SIGKILL');
      reject(new Error(`${what}: nothing within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message) => {
      if (message?.type !== type) return;
      cleanUp();
      resolve(message);
    };
    const onExit = (code, signal) => {
      cleanUp();
      reject(new Error(`${what}: exited (${signal ?? code}) before answering`));
    };
    const cleanUp = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function startServer(name, profileName) {
  const execArgv = ['--expose-gc'];
  if (options['cpu-prof']) {
    execArgv.push(
      '--cpu-prof',
      `--cpu-prof-dir=${options['cpu-prof']}`,
      `--cpu-prof-name=${profileName}.cpuprofile`,
    );
  }
  const server = startChild(
    name,
    process.execPath,
    [...execArgv, SERVERS[name]],
    {
      ...process.env,
      // Switchboard's per-socket limit would answer RATE_LIMITED long before a loop of acks
      // saturates it; both servers read these (100 000 is the highest value the config takes).
      RATE_LIMIT_PER_SEC: '100000',
      RATE_LIMIT_BURST: '100000',
      // Every load client connects from 127.0.0.1: one address for what would be many users.
      HANDSHAKE_RATE_PER_IP: '100000',
    },
    { ipc: true },
  );
  try {
    const ready = await firstMessage(
      server.child,
      'ready',
      SERVER_START_TIMEOUT_MS,
      `${name} server`,
    );
    return {
      ...server,
      url: `http://127.0.0.1:${ready.port}`,
      statsUrl: `http://127.0.0.1:${ready.statsPort}`,
    };
  } catch (error) {
    throw new Error(`${error.message}\n--- ${name} log\n${server.log()}`, { cause: error });
  }
}

/** One load child for `scenario` against the running `servers`, in their order. */
async function runLoad(scenario, servers) {
  const measuredSeconds =
    scenario === 'memory' ? 0 : Number(options.warmup) + Number(options.duration);
  const args = ['--scenario', scenario];
  for (const server of servers)
    args.push('--target', `${server.name}=${server.url},${server.statsUrl}`);
  args.push('--warmup', options.warmup, '--duration', options.duration, '--slice', options.slice);
  args.push(...SCENARIOS[scenario].loadArgs());
  const load = startChild(
    `${scenario}-load`,
    process.execPath,
    [join(BENCH_DIR, 'load.mjs'), ...args],
    process.env,
    { ipc: true },
  );
  try {
    const { results } = await firstMessage(
      load.child,
      'results',
      measuredSeconds * servers.length * 1000 + LOAD_SLACK_MS,
      `${scenario} load`,
    );
    return results;
  } catch (error) {
    const logs = [load, ...servers].map((child) => `--- ${child.name} log\n${child.log()}`);
    throw new Error([error.message, ...logs].join('\n'), { cause: error });
  }
}

// ---- the table ----

function tableRows(results) {
  const rows = [
    ['scenario', 'metric', 'Switchboard', 'baseline', 'ratio (SB / base)', 'rounds (SB \\| base)'],
  ];
  for (const [scenario, byServer] of Object.entries(results)) {
    for (const { key, label, format } of SCENARIOS[scenario].metrics) {
      const sb = byServer.switchboard.map((result) => result[key]);
      const base = byServer.baseline.map((result) => result[key]);
      const ratio = median(sb) / median(base);
      rows.push([
        scenario,
        label,
        format(median(sb)),
        format(median(base)),
        `${ratio.toFixed(2)}×`,
        `${sb.map(format).join(' ')} \\| ${base.map(format).join(' ')}`,
      ]);
    }
  }
  return rows;
}

function markdownTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(rows[0]),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

/** What the figures were measured on: they compare only with figures from the same machine. */
function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown CPU';
  return `${cpus().length} cores (${model}), ${(totalmem() / 2 ** 30).toFixed(0)} GB, ${osType()} ${release()}`;
}

/**
 * The sections of the results file from its first \`## \` heading on: figures of other scripts,
 * written by hand, which a new run keeps below its own.
 */
function sectionsKept() {
  let text;
  try {
    text = readFileSync(options.results, 'utf8');
  } catch {
    return '';
  }
  const first = text.indexOf('\n## ');
  return first === -1 ? '' : text.slice(first);
}

function writeResults(table, rounds, scenarios, startedAt) {
  const text = `# Benchmark results

Written by \`npm run bench\` (bench/run.mjs) down to the first \`##\` section, which it keeps;
bench/README.md says how to read them.

- date: ${startedAt.toISOString()}
- machine: ${machine()}
- Node ${process.version}, socket.io 4.8
- ${rounds} round(s) of ${scenarios.join(', ')}; ping: ${options['ping-clients']} clients, chat: ${options['chat-clients']} clients in one room, ${options.warmup} s warm-up + ${options.duration} s measured in turns of ${options.slice} s; memory: ${options.idle} idle sockets

Medians of ${rounds} round(s), every round listed; ratio = Switchboard / baseline.

${table}
${sectionsKept()}`;
  writeFileSync(options.results, text);
}

async function main() {
  const rounds = Number(options.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error('--rounds must be a positive integer');
  const scenarios = options.scenarios.split(',').map((name) => name.trim());
  for (const scenario of scenarios) {
    if (!SCENARIOS[scenario]) throw new Error(`unknown scenario "${scenario}"`);
  }
  if (options['cpu-prof']) mkdirSync(options['cpu-prof'], { recursive: true });
  const startedAt = new Date();

  console.log(
    `node ${process.version}; ${rounds} round(s) of ${scenarios.join(', ')}; ` +
      `ping: ${options['ping-clients']} clients, chat: ${options['chat-clients']} clients, ` +
      `${options.warmup} s warm-up + ${options.duration} s measured in turns of ${options.slice} s; ` +
      `memory: ${options.idle} idle sockets`,
  );
  const results = Object.fromEntries(
    scenarios.map((scenario) => [scenario, { switchboard: [], baseline: [] }]),
  );
  for (let round = 1; round <= rounds; round += 1) {
    // Alternate which server goes first, so that neither always has the same place in a round.
    const order = round % 2 === 1 ? ['switchboard', 'baseline'] : ['baseline', 'switchboard'];
    for (const scenario of scenarios) {
      // Fresh processes for every scenario: no state or heap left over from the one before.
      const servers = [];
      try {
        for (const name of order) {
          servers.push(await startServer(name, `${name}-${scenario}-r${round}`));
        }
        const roundResults = await runLoad(scenario, servers);
        for (const name of order) {
          const result = roundResults[name];
          results[scenario][name].push(result);
          const summary = SCENARIOS[scenario].metrics
            .slice(0, 2)
            .map(({ key, label, format }) => `${label} ${format(result[key])}`)
            .join(', ');
          console.log(`round ${round} ${scenario.padEnd(6)} ${name.padEnd(11)} ${summary}`);
          if (options.verbose) console.log(JSON.stringify(result));
        }
      } finally {
        // SIGTERM first: a clean exit, so that a CPU profile gets written.
        await Promise.all(servers.map((server) => server.stop()));
      }
    }
  }
  const table = markdownTable(tableRows(results));
  console.log(`\nMedians of ${rounds} round(s); ratio = Switchboard / baseline.\n`);
  console.log(table);
  if (!options.quick) {
    writeResults(table, rounds, scenarios, startedAt);
    console.log(`\nWritten to ${options.results}`);
  }
  if (options['cpu-prof']) {
    console.log(`\nCPU profiles in ${options['cpu-prof']}; summarise one with`);
    console.log(`  node bench/profile-summary.mjs <file>.cpuprofile`);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
