// CPU per delivered chat message of Switchboard nodes over one Redis (or of one node in memory),
// with the Redis commands each `chat:send` costs. Builds nothing: run `npm run build` first.
//
//   node bench/cluster.mjs --shape dm --nodes 1,2,4                 direct messages, 1280/s in all
//   node bench/cluster.mjs --shape dm --nodes 1,2,4 --rate 320      the same at a quarter
//   node bench/cluster.mjs --shape room --clients 40 --nodes 1,2,4  one room of 40, 320/s in all
//   node bench/cluster.mjs --nodes 1 --memory --closed-loop         one node in memory, flat out
//
// Per round and node count: a fresh redis-server (`--save "" --appendonly no`) on a free port,
// N processes of `node dist/main.js` (or --main) over it, and the clients of the shape
// (support/chat-shapes.mjs), socket.io-client over WebSocket only. They send `chat:send` with an
// ack at --rate a second in all on a fixed schedule (support/chat-load.mjs), the same offered load
// whatever N is; --closed-loop sends again as soon as answered instead. After --warmup seconds,
// a window of --duration seconds is measured between two snapshots: sends and `chat:message`
// events received, the CPU time of every node, of redis-server, of this process and of the
// machine (/proc), and Redis's INFO commandstats. Then a 1 s MONITOR sample (which commands the
// scripts call), the load stops, what is in flight arrives, and every acknowledged message must
// have reached every other member of its room exactly once.
//
// With several node counts (--nodes 1,2,4) the rounds run interleaved (round 1 of every count,
// then round 2, ...), so that the machine's drift spreads over all, and a last table gives each
// count's CPU per delivery over the first count's. Everything listens on 127.0.0.1; every child
// is killed when this script ends, fails or is interrupted.
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closedLoops, loadState, openLoop } from './support/chat-load.mjs';
import { connectShape, DeliveryLedger, SHAPES } from './support/chat-shapes.mjs';
import { printComparison, printRound, printSetup } from './support/cluster-report.mjs';
import {
  allProcessesCpuUs,
  busiestOthers,
  machineCpuUs,
  processCpuUs,
} from './support/cpu-time.mjs';
import { commandsPerSend, commandStats, monitorSample } from './support/redis-commands.mjs';
import { REPO_DIR, sleep, startNode, startRedis, workDirectory } from './support/processes.mjs';

/** How long MONITOR watches Redis after the window, to tell clients' commands from scripts'. */
const MONITOR_SAMPLE_MS = 1000;
/** The offered load by shape when --rate is not given, in `chat:send` a second for the cluster. */
const DEFAULT_RATE = { dm: 1280, room: 320 };
/**
 * An open loop keeps up when, over the window, it achieves the offered sends within this share,
 * skips none, and the clients receive the deliveries that the acknowledged sends call for within
 * it. More than offered counts too: the window then caught up a backlog from before it.
 */
const KEPT_UP_TOLERANCE = 0.03;
/** After the load, the deliveries still on their way may arrive until none has for this long... */
const DRAIN_IDLE_MS = 5000;
/** ... or, whatever happens, until this long has passed; what has not arrived then is missing. */
const DRAIN_TIMEOUT_MS = 60_000;
/** Once all have arrived, how long the run watches for more (a duplicate) before it checks. */
const QUIET_MS = 500;
const DRAIN_POLL_MS = 50;

const { values: options } = parseArgs({
  options: {
    shape: { type: 'string', default: 'room' },
    nodes: { type: 'string', default: '1' },
    clients: { type: 'string', default: '40' },
    rooms: { type: 'string', default: '160' },
    rate: { type: 'string' },
    'closed-loop': { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    main: { type: 'string', default: join(REPO_DIR, 'dist', 'main.js') },
    'redis-server': { type: 'string', default: 'redis-server' },
    json: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});

function positiveNumber(name, value = options[name], integer = true) {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}: ${value}`);
  }
  return number;
}

/** The run's settings, checked: every bad option is refused before anything starts. */
function settings() {
  const shape = options.shape;
  if (!SHAPES[shape]) throw new Error(`--shape must be dm or room: ${shape}`);
  const nodeCounts = options.nodes.split(',').map((count) => positiveNumber('nodes', count));
  const sizes = { clients: positiveNumber('clients'), rooms: positiveNumber('rooms') };
  if (shape === 'room' && sizes.clients < 2) {
    throw new Error('--clients must be at least 2: a message goes to the others');
  }
  if (options.memory && nodeCounts.some((count) => count > 1)) {
    throw new Error('--memory takes --nodes 1: nodes with memory stores share nothing');
  }
  if (options['closed-loop'] && options.rate !== undefined) {
    throw new Error('--rate is the open loop’s; --closed-loop sends as fast as answered');
  }
  if (!existsSync(options.main)) throw new Error(`${options.main} not found: run npm run build`);
  return {
    shape,
    nodeCounts,
    sizes,
    rate: options['closed-loop']
      ? undefined
      : positiveNumber('rate', options.rate ?? DEFAULT_RATE[shape], false),
    rounds: options.quick ? 1 : positiveNumber('rounds'),
    warmupMs: (options.quick ? 1 : positiveNumber('warmup', undefined, false)) * 1000,
    durationMs: (options.quick ? 2 : positiveNumber('duration', undefined, false)) * 1000,
  };
}

/** Node `index` (from 0) of `nodeCount` in round `round`, over `redis` unless --memory. */
function startClusterNode(index, nodeCount, redis, prefix, round) {
  const name = `node-${index + 1}`;
  const nodeArgs = options['cpu-prof']
    ? // Written when the node exits after SIGTERM.
      [
        '--cpu-prof',
        `--cpu-prof-dir=${options['cpu-prof']}`,
        `--cpu-prof-name=${name}-of-${nodeCount}-r${round}.cpuprofile`,
      ]
    : [];
  return startNode({ name, main: options.main, redis, keyPrefix: prefix, nodeArgs });
}

/** Everything counted at one instant of the measured window. */
async function snapshot(state, ledger, processes, redis) {
  const cpuUsage = process.cpuUsage();
  return {
    at: performance.now(),
    cpu: processes.map((p) => processCpuUs(p.pid)),
    loadUs: cpuUsage.user + cpuUsage.system,
    machine: machineCpuUs(),
    everyone: allProcessesCpuUs(),
    counts: {
      scheduled: state.scheduled,
      skipped: state.skipped,
      acked: state.acked,
      delivered: ledger.delivered,
      expected: ledger.expected,
      latencies: state.latencies.length,
    },
    commands: redis ? await commandStats(redis.client) : undefined,
  };
}

const near = (value, target) => Math.abs(value - target) <= KEPT_UP_TOLERANCE * target;

function percentile(sorted, fraction) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** The figures of one round from the snapshots at the start and the end of its window. */
function figures({ start, end, latencies, nodes, redis, rate, sample }) {
  const seconds = (end.at - start.at) / 1000;
  const delta = (key) => end.counts[key] - start.counts[key];
  const sends = delta('acked');
  const deliveries = delta('delivered');
  const cpu = end.cpu.map((us, i) => us - start.cpu[i]);
  const nodeCpu = cpu.slice(0, nodes.length);
  const nodesUs = nodeCpu.reduce((sum, us) => sum + us, 0);
  const redisUs = redis ? cpu[nodes.length] : 0;
  const loadUs = end.loadUs - start.loadUs;
  const machineBusyUs = end.machine.busyUs - start.machine.busyUs;
  const window = Float64Array.from(latencies.slice(start.counts.latencies, end.counts.latencies));
  window.sort();
  const offeredPerSec = rate ?? delta('scheduled') / seconds;
  const sendsPerSec = sends / seconds;
  return {
    seconds,
    offeredPerSec,
    sendsPerSec,
    skipped: delta('skipped'),
    keptUp:
      rate === undefined ||
      (near(sendsPerSec, rate) && delta('skipped') === 0 && near(deliveries, delta('expected'))),
    deliveriesPerSec: deliveries / seconds,
    expectedPerSec: delta('expected') / seconds,
    deliveriesPerSend: deliveries / sends,
    p50Ms: percentile(window, 0.5),
    p99Ms: percentile(window, 0.99),
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
    machineCores: (end.machine.totalUs - start.machine.totalUs) / 1e6 / seconds,
    // Busy CPU of processes that are not part of this benchmark (other work on the machine).
    otherCores: (machineBusyUs - nodesUs - redisUs - loadUs) / 1e6 / seconds,
    otherBusiest: busiestOthers(
      start.everyone,
      end.everyone,
      [...nodes, ...(redis ? [redis] : [])].map((p) => p.pid),
      seconds,
    ),
    loadAverage: loadavg()[0],
    redisCommands: redis ? commandsPerSend(start.commands, end.commands, sends, sample) : undefined,
  };
}

/**
 * Waits for the deliveries of the acknowledged messages that are still on their way (a reply
 * comes before its broadcast has reached the other nodes), then for a quiet moment in which a
 * duplicate would show.
 */
async function drain(ledger) {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  let lastCount = ledger.delivered;
  let lastArrival = performance.now();
  while (ledger.delivered < ledger.expected) {
    const now = performance.now();
    if (now > deadline || now - lastArrival > DRAIN_IDLE_MS) return;
    await sleep(DRAIN_POLL_MS);
    if (ledger.delivered !== lastCount) {
      lastCount = ledger.delivered;
      lastArrival = performance.now();
    }
  }
  await sleep(QUIET_MS);
}

async function runRound(setup, round, nodeCount) {
  const prefix = `bench-${process.pid}-r${round}-n${nodeCount}`;
  let redis;
  const nodes = [];
  const sockets = [];
  const state = loadState();
  let load;
  try {
    if (!options.memory) redis = await startRedis(options['redis-server']);
    nodes.push(
      ...(await Promise.all(
        Array.from({ length: nodeCount }, (_, index) =>
          startClusterNode(index, nodeCount, redis, `${prefix}:`, round),
        ),
      )),
    );
    const { clients, rooms } = await connectShape(setup.shape, setup.sizes, nodes, prefix, sockets);
    const ledger = new DeliveryLedger(clients, rooms);
    load = setup.rate
      ? // A second's worth unanswered at most: a backlog beyond it is a cluster that cannot keep up.
        openLoop(clients, setup.rate, Math.max(100, setup.rate), state, ledger)
      : closedLoops(clients, state, ledger);
    await sleep(setup.warmupMs);
    const processes = redis ? [...nodes, redis] : nodes;
    const start = await snapshot(state, ledger, processes, redis);
    await sleep(setup.durationMs);
    const end = await snapshot(state, ledger, processes, redis);
    const sample = redis ? await monitorSample(redis.port, MONITOR_SAMPLE_MS) : undefined;
    await load.stop();
    await drain(ledger);
    if (state.failures > 0) {
      throw new Error(`${state.failures} chat:send failed, the first: ${state.firstFailure}`);
    }
    const rate = setup.rate;
    return {
      ...figures({ start, end, latencies: state.latencies, nodes, redis, rate, sample }),
      delivery: ledger.check(),
    };
  } catch (error) {
    await load?.stop().catch(() => undefined);
    const logs = [...nodes, ...(redis ? [redis] : [])].map((p) => `--- ${p.name}\n${p.log()}`);
    throw new Error([error.message, ...logs].join('\n'), { cause: error });
  } finally {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(nodes.map((node) => node.stop()));
    redis?.client.disconnect();
    await redis?.stop();
  }
}

async function main() {
  const setup = settings();
  if (options['cpu-prof']) mkdirSync(options['cpu-prof'], { recursive: true });
  workDirectory('cluster');
  printSetup(setup, options);
  const results = new Map(setup.nodeCounts.map((count) => [count, []]));
  for (let round = 1; round <= setup.rounds; round += 1) {
    for (const nodeCount of setup.nodeCounts) {
      const result = await runRound(setup, round, nodeCount);
      results.get(nodeCount).push(result);
      printRound(round, nodeCount, result, setup);
      if (options.json) console.log(JSON.stringify({ round, nodes: nodeCount, ...result }));
    }
  }
  printComparison(setup, results, options);
  // A figure is only a figure; a message lost or doubled is a fault, and fails the run (CI).
  const faulty = [...results.values()].flat().filter(({ delivery }) => !delivery.exactlyOnce);
  if (faulty.length > 0) throw new Error(`${faulty.length} round(s) did not deliver exactly once`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`cluster: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
