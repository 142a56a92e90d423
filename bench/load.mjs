// The load generator: socket.io-client over WebSocket against one or more running servers, one
// scenario per run. Started by bench/run.mjs (the results go back over the IPC channel), or by
// hand against servers started by hand:
//
//   node bench/load.mjs --scenario ping \
//     --target switchboard=http://127.0.0.1:3000,http://127.0.0.1:3001 \
//     --target baseline=http://127.0.0.1:4000,http://127.0.0.1:4001
//
// A target is name=<socket.io url>,<stats url> (the stats endpoint of bench/support). With
// several targets, the throughput scenarios give them the load in turns of --slice seconds
// (A, B, A, B, ...) until each has had --duration seconds, so that a drift of the machine's speed
// during the run (client and servers share its cores) falls on all of them alike.
//
// Scenarios, every one bounded in time and in count:
//   ping    C clients per target, each doing sequential `session:ping` with an ack:
//           round trips/s, latency, server CPU time per round trip
//   chat    C clients per target in one room, each doing sequential `chat:send`: replies/s,
//           `chat:message` received/s (fan-out to C - 1), latency, server CPU time per send
//   memory  N idle clients: the server's RSS and heapUsed per socket, after a forced GC
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectClient, request } from './support/clients.mjs';

const CONNECT_CONCURRENCY = 50;
const SETTLE_MS = 1000;
const MAX_FAILURES = 100;
const SOCKETS_CLOSED_TIMEOUT_MS = 30_000;

const { values: options } = parseArgs({
  options: {
    scenario: { type: 'string' },
    target: { type: 'string', multiple: true, default: [] },
    clients: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    duration: { type: 'string', default: '5' },
    slice: { type: 'string', default: '1' },
    idle: { type: 'string', default: '2000' },
    'max-ops': { type: 'string', default: '1000000' },
  },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function positiveNumber(name) {
  const value = Number(options[name]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function parseTarget(spec) {
  const match = /^([\w-]+)=(http:\/\/[^,]+),(http:\/\/[^,]+)$/.exec(spec);
  if (!match) throw new Error(`--target ${spec}: expected name=<socket.io url>,<stats url>`);
  return { name: match[1], url: match[2], statsUrl: match[3] };
}

async function serverStats(target, gc = false) {
  const response = await fetch(`${target.statsUrl}/stats${gc ? '?gc=1' : ''}`);
  if (!response.ok) throw new Error(`${target.name}: stats endpoint answered ${response.status}`);
  return response.json();
}

/** `count` clients, at most CONNECT_CONCURRENCY handshakes at a time. */
async function connectClients(url, count, prefix) {
  const sockets = [];
  try {
    for (let first = 0; first < count; first += CONNECT_CONCURRENCY) {
      const batch = [];
      for (let i = first; i < Math.min(count, first + CONNECT_CONCURRENCY); i += 1) {
        batch.push(connectClient(url, `${prefix}${i}`));
      }
      sockets.push(...(await Promise.all(batch)));
    }
  } catch (error) {
    disconnectAll(sockets);
    throw error;
  }
  return sockets;
}

function disconnectAll(sockets) {
  for (const socket of sockets) socket.disconnect();
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/**
 * A closed loop on every client of `session` for `ms`: each client sends its next operation as
 * soon as the previous one is answered. Stops sending at the end and waits for what is in flight,
 * so that every operation counted was started and answered inside the slice. Counted into
 * `measurement` when one is given (the warm-up passes none).
 */
async function runSlice(session, operation, ms, measurement) {
  const maxOps = measurement?.latencies.length ?? Infinity;
  const before = measurement && (await serverStats(session.target));
  const clientCpuBefore = process.cpuUsage();
  const start = performance.now();
  const stopAt = start + ms;
  let failures = 0;
  let firstFailure;
  await Promise.all(
    session.sockets.map(async (socket, client) => {
      while (performance.now() < stopAt && failures < MAX_FAILURES) {
        if (measurement && measurement.ops >= maxOps) return;
        const begin = performance.now();
        try {
          await operation(socket, client, session.sequence[client]++);
        } catch (error) {
          failures += 1;
          firstFailure ??= error;
          continue;
        }
        if (measurement && measurement.ops < maxOps) {
          measurement.latencies[measurement.ops++] = performance.now() - begin;
        }
      }
    }),
  );
  const end = performance.now();
  if (failures > 0) {
    throw new Error(`${session.target.name}: ${failures} operations failed: ${firstFailure}`);
  }
  if (measurement) {
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const after = await serverStats(session.target);
    measurement.seconds += (end - start) / 1000;
    measurement.clientCpuUs += clientCpu.user + clientCpu.system;
    measurement.serverCpuUs += after.cpuUs - before.cpuUs;
    measurement.serverWallMs += after.timeMs - before.timeMs;
  }
}

/**
 * Warms each target up for --warmup seconds, then gives them the load in turns of --slice
 * seconds until each has had --duration seconds measured.
 */
async function closedLoops(sessions, operation) {
  const warmupMs = Number(options.warmup) * 1000;
  const durationMs = positiveNumber('duration') * 1000;
  const sliceMs = Math.min(positiveNumber('slice') * 1000, durationMs);
  const maxOps = positiveNumber('max-ops');
  for (const session of sessions) {
    if (warmupMs > 0) await runSlice(session, operation, warmupMs);
    session.measurement = {
      latencies: new Float64Array(maxOps),
      ops: 0,
      seconds: 0,
      serverCpuUs: 0,
      serverWallMs: 0,
      clientCpuUs: 0,
    };
  }
  for (let measuredMs = 0; measuredMs < durationMs; measuredMs += sliceMs) {
    for (const session of sessions) {
      session.startCounting?.();
      await runSlice(
        session,
        operation,
        Math.min(sliceMs, durationMs - measuredMs),
        session.measurement,
      );
    }
  }
  for (const session of sessions) {
    const { latencies, ops, seconds, serverCpuUs, serverWallMs, clientCpuUs } = session.measurement;
    const sorted = latencies.subarray(0, ops).sort();
    session.result = {
      seconds,
      ops,
      opsPerSec: ops / seconds,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      serverCpuUsPerOp: serverCpuUs / ops,
      serverCpuShare: serverCpuUs / 1000 / serverWallMs,
      clientCpuShare: clientCpuUs / 1e6 / seconds,
    };
  }
}

function newSession(target, sockets) {
  return { target, sockets, sequence: sockets.map(() => 0) };
}

async function pingScenario(targets) {
  const clients = positiveNumber('clients');
  const sessions = [];
  try {
    for (const target of targets) {
      sessions.push(newSession(target, await connectClients(target.url, clients, 'ping-')));
    }
    await closedLoops(sessions, (socket) => request(socket, 'session:ping'));
    return Object.fromEntries(sessions.map((session) => [session.target.name, session.result]));
  } finally {
    for (const session of sessions) disconnectAll(session.sockets);
  }
}

async function chatScenario(targets) {
  const clients = positiveNumber('clients');
  if (clients < 2) throw new Error('the chat scenario needs at least 2 clients');
  const room = `bench-${process.pid}`;
  const sessions = [];
  try {
    for (const target of targets) {
      const session = newSession(target, await connectClients(target.url, clients, 'chat-'));
      sessions.push(session);
      for (const socket of session.sockets) await request(socket, 'room:join', { room });
      let counting = false;
      session.delivered = 0;
      session.startCounting = () => (counting = true);
      for (const socket of session.sockets) {
        socket.on('chat:message', () => {
          if (counting) session.delivered += 1;
        });
      }
    }
    await closedLoops(sessions, (socket, client, seq) =>
      request(socket, 'chat:send', {
        room,
        text: `message ${seq} from client ${client}`,
        clientMsgId: `${client}-${seq}`,
      }),
    );
    // Broadcasts may arrive a little after the last reply.
    await sleep(200);
    return Object.fromEntries(
      sessions.map(({ target, result, delivered }) => {
        const expected = result.ops * (clients - 1);
        return [
          target.name,
          {
            ...result,
            deliveredPerSec: delivered / result.seconds,
            // Close to 1; the deliveries of the warm-up's last sends make it slightly more.
            deliveredPerExpected: delivered / expected,
          },
        ];
      }),
    );
  } finally {
    for (const session of sessions) disconnectAll(session.sockets);
  }
}

/** This process's open file descriptors (Linux). */
function openFiles() {
  return readdirSync('/proc/self/fd').length;
}

async function memoryOf(target, idle) {
  const filesBefore = openFiles();
  // Exercise the connection path once so that lazily created state is not counted per socket.
  disconnectAll(await connectClients(target.url, CONNECT_CONCURRENCY, 'warm-'));
  await sleep(SETTLE_MS);
  const before = await serverStats(target, true);
  const sockets = await connectClients(target.url, idle, 'idle-');
  try {
    await sleep(SETTLE_MS);
    const after = await serverStats(target, true);
    return {
      sockets: idle,
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapUsedBefore: before.heapUsed,
      heapUsedAfter: after.heapUsed,
      rssPerSocket: (after.rss - before.rss) / idle,
      heapPerSocket: (after.heapUsed - before.heapUsed) / idle,
      externalPerSocket: (after.external - before.external) / idle,
    };
  } finally {
    disconnectAll(sockets);
    // The next target's sockets must fit under this process's open-file limit too (20 000 here):
    // with --idle near it, wait for these to be closed first.
    const deadline = Date.now() + SOCKETS_CLOSED_TIMEOUT_MS;
    while (openFiles() > filesBefore + CONNECT_CONCURRENCY && Date.now() < deadline) {
      await sleep(100);
    }
  }
}

async function memoryScenario(targets) {
  const idle = positiveNumber('idle');
  const results = {};
  for (const target of targets) results[target.name] = await memoryOf(target, idle);
  return results;
}

const SCENARIOS = { ping: pingScenario, chat: chatScenario, memory: memoryScenario };

async function main() {
  const scenario = SCENARIOS[options.scenario ?? ''];
  if (!scenario) throw new Error(`--scenario must be one of ${Object.keys(SCENARIOS).join(', ')}`);
  const targets = options.target.map(parseTarget);
  if (targets.length === 0) throw new Error('give at least one --target');
  const results = await scenario(targets);
  if (process.send) {
    process.send({ type: 'results', results }, () => process.exit(0));
  } else {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    process.exit(0);
  }
}

process.once('disconnect', () => process.exit(1));
main().catch((error) => {
  process.stderr.write(`load: ${error?.stack ?? error}\n`);
  process.exit(1);
});
