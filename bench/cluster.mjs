// Chat throughput of Switchboard nodes over one Redis (or of one node in memory), with the CPU
// time of every process and the Redis commands each `chat:send` costs. Builds nothing: run
// `npm run build` first.
//
//   node bench/cluster.mjs --nodes 3 --clients 60 --duration 10   three nodes over one Redis
//   node bench/cluster.mjs --nodes 1 --clients 60                  one node over Redis
//   node bench/cluster.mjs --nodes 1 --memory --clients 60         one node, memory stores
//
// Per round: a fresh redis-server (Debian's, `--save "" --appendonly no`) on a free port, N
// processes of `node dist/main.js` over it (one key prefix per round), C socket.io-client clients
// (WebSocket only) spread evenly over the nodes, all in ONE room; each client does `chat:send`
// with an ack in a closed loop (the next one as soon as the reply arrives), so each message goes
// to the C - 1 other members, whichever node they are on. After --warmup seconds the load keeps
// running while the window of --duration seconds is measured between two snapshots: replies and
// `chat:message` events received, /proc/<pid>/stat utime + stime of every node, of redis-server
// and of this process (the load generator), /proc/stat for the whole machine, and Redis's
// INFO commandstats. Then it stops sending, lets what is in flight arrive and checks that every
// acknowledged message reached every other member exactly once.
//
// Everything listens on 127.0.0.1; every child is killed when this script ends, fails or is
// interrupted.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectClient, request } from './support/clients.mjs';
import { REPO_DIR, sleep, startNode, startRedis, workDirectory } from './support/processes.mjs';

const CONNECT_CONCURRENCY = 20;
/** After the last reply, broadcasts still on their way get this long to arrive. */
const DRAIN_MS = 1000;
const MAX_FAILURES = 100;
/** How long MONITOR watches Redis after the window, to tell clients' commands from scripts'. */
const MONITOR_SAMPLE_MS = 1000;

const { values: options } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1' },
    clients: { type: 'string', default: '60' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    memory: { type: 'boolean', default: false },
    main: { type: 'string', default: join(REPO_DIR, 'dist', 'main.js') },
    'redis-server': { type: 'string', default: 'redis-server' },
    json: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});

function positiveInteger(name) {
  const value = Number(options[name]);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

function positiveNumber(name) {
  const value = Number(options[name]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** Node `index` (from 0) of round `round`, over `redis` unless --memory. */
function startClusterNode(index, redis, prefix, round) {
  const nodeArgs = options['cpu-prof']
    ? [
        // Written when the node exits after SIGTERM.
        '--cpu-prof',
        `--cpu-prof-dir=${options['cpu-prof']}`,
        `--cpu-prof-name=node-${index + 1}-r${round}.cpuprofile`,
      ]
    : [];
  return startNode({
    name: `node-${index + 1}`,
    main: options.main,
    redis,
    keyPrefix: prefix,
    nodeArgs,
  });
}

// ---- clients ----

/** Client i goes to node i mod N; all of them join `room`. */
async function connectAll(nodes, clients, room, sockets) {
  for (let first = 0; first < clients; first += CONNECT_CONCURRENCY) {
    const batch = [];
    for (let i = first; i < Math.min(clients, first + CONNECT_CONCURRENCY); i += 1) {
      batch.push(connectClient(nodes[i % nodes.length].url, `bench-${i}`));
    }
    sockets.push(...(await Promise.all(batch)));
  }
  let members = 0;
  for (const socket of sockets) members = (await request(socket, 'room:join', { room })).members;
  // Every client has its own user (guest ids), so the last join sees all of them on every node.
  if (members.length !== clients) {
    throw new Error(`the last room:join saw ${members.length} members, not ${clients}`);
  }
}

// ---- measurements ----

const CLOCK_TICK_US = 1e6 / clockTicksPerSecond();

function clockTicksPerSecond() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process (all its threads), in µs. */
function processCpuUs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_US;
}

/** CPU time of every process on the machine, by pid, to name what else was running. */
function allProcessesCpuUs() {
  const byPid = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      byPid.set(Number(entry), processCpuUs(entry));
    } catch {
      // Gone since the directory was listed.
    }
  }
  return byPid;
}

function commandLine(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    // Kernel threads have no command line, only a name.
    return (line || `[${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`).slice(0, 80);
  } catch {
    return `pid ${pid} (gone)`;
  }
}

/** The whole machine's busy and total CPU time (all cores), in µs. */
function machineCpuUs() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busyUs: busy * CLOCK_TICK_US, totalUs: (busy + idle + iowait) * CLOCK_TICK_US };
}

/** Calls per command from INFO commandstats (`cmdstat_evalsha:calls=12,usec=...`). */
async function commandStats(redis) {
  const stats = {};
  for (const line of (await redis.client.info('commandstats')).split('\r\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (match) stats[match[1]] = { calls: Number(match[2]), usec: Number(match[3]) };
  }
  return stats;
}

/**
 * Which commands the clients send and which the Lua scripts call: INFO commandstats counts both.
 * MONITOR shows a script's commands with the source `lua`; it slows Redis down, so it runs for a
 * short sample after the measured window, with the load still on.
 */
async function monitorSample(redis, state, ms) {
  const byCommand = {};
  const socket = connect(redis.port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  let buffered = '';
  socket.on('data', (chunk) => {
    const lines = (buffered + chunk).split('\r\n');
    buffered = lines.pop();
    for (const line of lines) {
      // +1700000000.123456 [0 127.0.0.1:41234] "evalsha" "..." or [0 lua] inside a script.
      const match = /^\+[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (!match) continue;
      const counts = (byCommand[match[2].toLowerCase()] ??= { client: 0, lua: 0 });
      if (match[1] === 'lua') counts.lua += 1;
      else counts.client += 1;
    }
  });
  socket.write('MONITOR\r\n');
  const acked = state.acked;
  await sleep(ms);
  socket.destroy();
  return { sends: state.acked - acked, byCommand };
}

/** Everything counted at one instant of the measured window. */
async function snapshot(state, processes, redis) {
  const at = performance.now();
  const cpu = Object.fromEntries(processes.map((p) => [p.name, processCpuUs(p.pid)]));
  const load = process.cpuUsage();
  const machine = machineCpuUs();
  const everyone = allProcessesCpuUs();
  const counts = {
    acked: state.acked,
    delivered: state.delivered,
    latencies: state.latencies.length,
  };
  const commands = redis ? await commandStats(redis) : undefined;
  return { at, cpu, loadUs: load.user + load.system, machine, everyone, counts, commands };
}

/**
 * The closed loops of all clients: each sends its next `chat:send` as soon as the previous one is
 * answered, until `state.stopping`; each reply's latency is appended to `state.latencies`.
 */
function runLoops(sockets, room, state) {
  return Promise.all(
    sockets.map(async (socket, client) => {
      for (let seq = 0; !state.stopping; seq += 1) {
        const begin = performance.now();
        try {
          await request(socket, 'chat:send', {
            room,
            text: `message ${seq} from client ${client}`,
            clientMsgId: `${client}-${seq}`,
          });
        } catch (error) {
          state.failures += 1;
          state.firstFailure ??= error;
          if (state.failures >= MAX_FAILURES) state.stopping = true;
          continue;
        }
        state.acked += 1;
        state.latencies.push(performance.now() - begin);
      }
    }),
  );
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** The three busiest processes during the window that are not this benchmark's, if any. */
function busiestOthers(start, end, ours, seconds) {
  const mine = new Set([process.pid, ...ours.map((p) => p.pid)]);
  return (
    [...end.everyone]
      .filter(([pid]) => !mine.has(pid))
      // A process started during the window spent all its time in it; one that also ended in it
      // is not seen at all.
      .map(([pid, us]) => ({ pid, cores: (us - (start.everyone.get(pid) ?? 0)) / 1e6 / seconds }))
      .sort((a, b) => b.cores - a.cores)
      .slice(0, 3)
      .filter(({ cores }) => cores >= 0.01)
      .map(({ pid, cores }) => ({ command: commandLine(pid), cores }))
  );
}

/** The figures of one round from the snapshots at the start and the end of its window. */
function figures(start, end, latencyLog, nodes, redis, clients, sample) {
  const seconds = (end.at - start.at) / 1000;
  const sends = end.counts.acked - start.counts.acked;
  const deliveries = end.counts.delivered - start.counts.delivered;
  const cpuOf = (name) => end.cpu[name] - start.cpu[name];
  const nodeCpu = nodes.map((node) => cpuOf(node.name));
  const nodesUs = nodeCpu.reduce((sum, us) => sum + us, 0);
  const redisUs = redis ? cpuOf(redis.name) : 0;
  const loadUs = end.loadUs - start.loadUs;
  const machineBusyUs = end.machine.busyUs - start.machine.busyUs;
  const machineTotalUs = end.machine.totalUs - start.machine.totalUs;
  const latencies = Float64Array.from(
    latencyLog.slice(start.counts.latencies, end.counts.latencies),
  ).sort();
  const result = {
    seconds,
    sends,
    deliveries,
    sendsPerSec: sends / seconds,
    deliveriesPerSec: deliveries / seconds,
    deliveriesPerSend: deliveries / sends,
    fanOut: clients - 1,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    // CPU in µs per delivered chat:message, and as cores busy during the window.
    nodeUsPerDelivery: nodeCpu.map((us) => us / deliveries),
    nodesUsPerDelivery: nodesUs / deliveries,
    redisUsPerDelivery: redisUs / deliveries,
    serverUsPerDelivery: (nodesUs + redisUs) / deliveries,
    loadUsPerDelivery: loadUs / deliveries,
    nodeCores: nodeCpu.map((us) => us / 1e6 / seconds),
    redisCores: redisUs / 1e6 / seconds,
    loadCores: loadUs / 1e6 / seconds,
    machineBusyCores: machineBusyUs / 1e6 / seconds,
    machineCores: machineTotalUs / 1e6 / seconds,
    // Busy CPU of processes that are not part of this benchmark (other work on the machine).
    otherCores: (machineBusyUs - nodesUs - redisUs - loadUs) / 1e6 / seconds,
    otherBusiest: busiestOthers(start, end, redis ? [...nodes, redis] : nodes, seconds),
  };
  if (redis) {
    const perCommand = {};
    let calls = 0;
    let clientCalls = 0;
    for (const [command, after] of Object.entries(end.commands)) {
      // The snapshots' own INFO calls are not the application's.
      if (command === 'info') continue;
      const before = start.commands[command] ?? { calls: 0, usec: 0 };
      const delta = after.calls - before.calls;
      if (delta === 0) continue;
      calls += delta;
      // The share of the calls that Lua scripts made, in the MONITOR sample.
      const seen = sample.byCommand[command.split('|')[0]];
      // Not seen in the sample (a rare command): unknown, counted below as sent by the nodes.
      const fromLua = seen ? seen.lua / (seen.lua + seen.client) : undefined;
      perCommand[command] = {
        perSend: delta / sends,
        usecPerSend: (after.usec - before.usec) / sends,
        fromLua,
      };
      clientCalls += delta * (1 - (fromLua ?? 0));
    }
    result.redisCallsPerSend = calls / sends;
    result.redisClientCallsPerSend = clientCalls / sends;
    result.redisCommands = perCommand;
  }
  return result;
}

// ---- one round ----

async function runRound(round, nodeCount, clients) {
  const prefix = `bench-${process.pid}-r${round}:`;
  let redis;
  const nodes = [];
  const sockets = [];
  const state = { acked: 0, delivered: 0, failures: 0, stopping: false, latencies: [] };
  let loops;
  try {
    if (!options.memory) redis = await startRedis(options['redis-server']);
    nodes.push(
      ...(await Promise.all(
        Array.from({ length: nodeCount }, (_, index) =>
          startClusterNode(index, redis, prefix, round),
        ),
      )),
    );
    const room = `bench-${process.pid}-r${round}`;
    await connectAll(nodes, clients, room, sockets);
    await sleep(500); // the room:joined broadcasts of the joins
    for (const socket of sockets) socket.on('chat:message', () => (state.delivered += 1));

    loops = runLoops(sockets, room, state);
    await sleep(positiveNumber('warmup') * 1000);
    const processes = redis ? [...nodes, redis] : nodes;
    const start = await snapshot(state, processes, redis);
    await sleep(positiveNumber('duration') * 1000);
    const end = await snapshot(state, processes, redis);
    const sample = redis ? await monitorSample(redis, state, MONITOR_SAMPLE_MS) : undefined;
    state.stopping = true;
    await loops;
    await sleep(DRAIN_MS);
    if (state.failures > 0) {
      throw new Error(`${state.failures} chat:send failed, the first: ${state.firstFailure}`);
    }
    const result = figures(start, end, state.latencies, nodes, redis, clients, sample);
    // Each acknowledged message went to every other member once, and nothing else arrived.
    result.deliveredPerExpected = state.delivered / (state.acked * (clients - 1));
    return result;
  } catch (error) {
    state.stopping = true;
    await loops?.catch(() => undefined);
    const logs = [...nodes, ...(redis ? [redis] : [])].map((p) => `--- ${p.name}\n${p.log()}`);
    throw new Error([error.message, ...logs].join('\n'), { cause: error });
  } finally {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(nodes.map((node) => node.stop()));
    redis?.client.disconnect();
    await redis?.stop();
  }
}

// ---- the tables ----

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const integer = (value) => Math.round(value).toLocaleString('en-US');
const fixed = (digits) => (value) => value.toFixed(digits);

function printTable(header, rows) {
  const widths = header.map((_, column) =>
    Math.max(header[column].length, ...rows.map((row) => row[column].length)),
  );
  // The first column left-aligned, the figures right-aligned.
  const pad = (cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]));
  const line = (row) => `| ${row.map(pad).join(' | ')} |`;
  console.log(line(header));
  console.log(
    `|${widths.map((width, i) => `${'-'.repeat(width + 1)}${i === 0 ? '-' : ':'}`).join('|')}|`,
  );
  for (const row of rows) console.log(line(row));
  console.log('');
}

function report(results, nodeCount) {
  const metric = (label, values, format) => [
    label,
    format(median(values)),
    `${format(Math.min(...values))}–${format(Math.max(...values))}`,
    values.map(format).join(' '),
  ];
  const pick = (key) => results.map((result) => result[key]);
  const rows = [
    metric('chat:send acked/s', pick('sendsPerSec'), integer),
    metric('chat:message received/s', pick('deliveriesPerSec'), integer),
    metric('deliveries per send', pick('deliveriesPerSend'), fixed(2)),
    metric('latency p50 (ms)', pick('p50Ms'), fixed(2)),
    metric('latency p99 (ms)', pick('p99Ms'), fixed(2)),
  ];
  for (let i = 0; i < nodeCount; i += 1) {
    const values = results.map((result) => result.nodeUsPerDelivery[i]);
    rows.push(metric(`node ${i + 1} CPU µs per delivery`, values, fixed(2)));
  }
  if (!options.memory)
    rows.push(metric('redis CPU µs per delivery', pick('redisUsPerDelivery'), fixed(2)));
  rows.push(
    metric('nodes + redis CPU µs per delivery', pick('serverUsPerDelivery'), fixed(2)),
    metric('load generator CPU µs per delivery', pick('loadUsPerDelivery'), fixed(2)),
  );
  for (let i = 0; i < nodeCount; i += 1) {
    const values = results.map((result) => result.nodeCores[i]);
    rows.push(metric(`node ${i + 1} CPU busy (cores)`, values, fixed(2)));
  }
  if (!options.memory) rows.push(metric('redis CPU busy (cores)', pick('redisCores'), fixed(2)));
  rows.push(
    metric('load generator CPU busy (cores)', pick('loadCores'), fixed(2)),
    metric('machine busy (cores)', pick('machineBusyCores'), fixed(2)),
    metric('… of which other processes (cores)', pick('otherCores'), fixed(2)),
  );
  if (!options.memory) {
    rows.push(
      metric('Redis commands per chat:send', pick('redisCallsPerSend'), fixed(2)),
      metric('… of which sent by the nodes', pick('redisClientCallsPerSend'), fixed(2)),
    );
  }
  printTable(['metric', 'median', 'spread', 'rounds'], rows);

  if (options.memory) return;
  const commands = new Set(results.flatMap((result) => Object.keys(result.redisCommands)));
  const commandRows = [...commands]
    .map((command) => {
      const calls = results.map((result) => result.redisCommands[command]?.perSend ?? 0);
      const usec = results.map((result) => result.redisCommands[command]?.usecPerSend ?? 0);
      const fromLua = results
        .map((result) => result.redisCommands[command]?.fromLua)
        .filter((share) => share !== undefined);
      return [command, median(calls), calls, median(usec), fromLua.length ? median(fromLua) : NaN];
    })
    .sort((a, b) => b[1] - a[1])
    .map(([command, callsMedian, calls, usecMedian, fromLua]) => [
      command,
      callsMedian.toFixed(3),
      calls.map(fixed(3)).join(' '),
      usecMedian.toFixed(2),
      Number.isNaN(fromLua) ? '?' : `${Math.round(fromLua * 100)}%`,
    ]);
  console.log(
    'Redis INFO commandstats over the window, per chat:send. Commands that Lua scripts call are\n' +
      'counted too (their time is also inside the script’s); "from Lua" is their share in a 1 s\n' +
      'MONITOR sample taken after the window (?: not seen in it, counted as sent by the nodes):\n',
  );
  printTable(
    ['command', 'calls per send', 'rounds', 'µs per send (median)', 'from Lua'],
    commandRows,
  );
}

async function main() {
  const nodeCount = positiveInteger('nodes');
  const clients = positiveInteger('clients');
  const rounds = positiveInteger('rounds');
  positiveNumber('warmup');
  positiveNumber('duration');
  if (clients < 2) throw new Error('--clients must be at least 2: a message goes to the others');
  if (options.memory && nodeCount > 1) {
    throw new Error('--memory takes --nodes 1: nodes with memory stores share nothing');
  }
  if (!existsSync(options.main)) throw new Error(`${options.main} not found: run npm run build`);
  if (options['cpu-prof']) mkdirSync(options['cpu-prof'], { recursive: true });
  workDirectory('cluster');

  const setup = options.memory ? '1 node, memory stores' : `${nodeCount} node(s) over one Redis`;
  const loads = () =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');
  console.log(
    `node ${process.version}; ${setup}; ${clients} clients in one room ` +
      `(${Math.ceil(clients / nodeCount)} or fewer per node); ${rounds} round(s) of ` +
      `${options.warmup} s warm-up + ${options.duration} s measured; load average ${loads()}`,
  );
  const results = [];
  for (let round = 1; round <= rounds; round += 1) {
    const result = await runRound(round, nodeCount, clients);
    results.push(result);
    const redisPart = options.memory
      ? ''
      : `, ${result.redisCallsPerSend.toFixed(2)} Redis cmds/send`;
    console.log(
      `round ${round}: ${integer(result.sendsPerSec)} sends/s, ` +
        `${integer(result.deliveriesPerSec)} deliveries/s, ` +
        `${result.serverUsPerDelivery.toFixed(2)} µs server CPU/delivery${redisPart}; ` +
        `delivered/expected ${result.deliveredPerExpected.toFixed(4)}; load average ${loads()}`,
    );
    if (result.otherCores >= 0.1) {
      const busiest = result.otherBusiest.map((p) => `${p.command} (${p.cores.toFixed(2)})`);
      console.log(
        `  other processes took ${result.otherCores.toFixed(2)} cores of the machine` +
          (busiest.length > 0 ? `; the busiest: ${busiest.join('; ')}` : ''),
      );
    }
    if (options.json) console.log(JSON.stringify({ round, setup, clients, ...result }));
  }
  console.log(`\n${setup}, ${clients} clients, medians of ${rounds} round(s):\n`);
  report(results, nodeCount);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`cluster: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
