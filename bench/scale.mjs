// How many idle sockets Switchboard holds on this machine: S sockets over N processes of
// `node dist/main.js` (memory stores for one, one Redis for several), every socket greeted
// (`welcome`), in a room, and reached by a room broadcast. Builds nothing: run `npm run build`.
//
//   node bench/scale.mjs --sockets 19000 --nodes 1       one process: its file-descriptor limit
//   node bench/scale.mjs --sockets 50000 --nodes 3       three processes over one Redis
//
// One process may hold at most its open-file limit of sockets (20 000 here), the load generator
// too, so the clients live in worker processes of --per-worker sockets each. Each worker connects
// from a loopback address of its own (127.0.0.2, 127.0.0.3, ...): a client socket bound to an
// address takes a port of that address's range (about 28 000), whichever server it goes to.
// Client i goes to node i mod N and joins room `scale-<i / room-size>`, so that every room has
// members on every node. Once all are in, the runner posts one `room:event` to every room through
// the server API (`POST /api/rooms/{room}/events`, to the nodes in turn) and waits until every
// socket has received it once. It reports the time each step took, each node's sockets (its
// `switchboard_connected_sockets`), RSS and RSS per socket, and Redis's memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectClient, request } from './support/clients.mjs';
import {
  REPO_DIR,
  sleep,
  startChild,
  startNode,
  startRedis,
  workDirectory,
} from './support/processes.mjs';

const CONNECT_CONCURRENCY = 100;
const API_KEY = 'scale-benchmark-api-key';
const STEP_TIMEOUT_MS = 300_000;
const PROGRESS_INTERVAL_MS = 5000;
const BROADCAST_EVENT = 'scale:ping';

const { values: options } = parseArgs({
  options: {
    sockets: { type: 'string', default: '19000' },
    nodes: { type: 'string', default: '1' },
    'per-worker': { type: 'string', default: '12500' },
    'room-size': { type: 'string', default: '100' },
    main: { type: 'string', default: join(REPO_DIR, 'dist', 'main.js') },
    'redis-server': { type: 'string', default: 'redis-server' },
    worker: { type: 'boolean', default: false },
  },
});

function positiveInteger(name) {
  const value = Number(options[name]);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** Resolves once `predicate` holds, checking every 100 ms; rejects after `timeoutMs`. */
async function until(what, predicate, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

// ---- a worker: its share of the clients ----

async function runWorker() {
  const { urls, first, count, localAddress, roomSize } = await new Promise((resolve) =>
    process.once('message', resolve),
  );
  const sockets = [];
  let received = 0;
  let duplicates = 0;
  for (let start = first; start < first + count; start += CONNECT_CONCURRENCY) {
    const batch = [];
    for (let i = start; i < Math.min(first + count, start + CONNECT_CONCURRENCY); i += 1) {
      const room = `scale-${Math.floor(i / roomSize)}`;
      batch.push(
        connectClient(urls[i % urls.length], `s${i}`, { localAddress }).then(async (socket) => {
          let seen = false;
          socket.on('room:event', ({ event }) => {
            if (event !== BROADCAST_EVENT) return;
            if (seen) duplicates += 1;
            else received += 1;
            seen = true;
          });
          await request(socket, 'room:join', { room });
          return socket;
        }),
      );
    }
    sockets.push(...(await Promise.all(batch)));
    process.send({ type: 'progress', joined: sockets.length });
  }
  process.send({ type: 'joined', joined: sockets.length });
  process.on('message', (message) => {
    if (message.type === 'count') process.send({ type: 'count', received, duplicates });
  });
  process.once('disconnect', () => process.exit(0));
}

// ---- the runner ----

function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)[1]) * 1024;
}

async function connectedSockets(node) {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(/^switchboard_connected_sockets (\d+)/m.exec(text)?.[1] ?? NaN);
}

function startWorker(index, urls, first, count, roomSize) {
  const worker = startChild(
    `worker-${index + 1}`,
    process.execPath,
    [join(import.meta.dirname, 'scale.mjs'), '--worker'],
    { PATH: process.env.PATH },
    { ipc: true },
  );
  const state = { ...worker, joined: 0, done: false, count: undefined };
  worker.child.on('message', (message) => {
    if (message.type === 'progress') state.joined = message.joined;
    if (message.type === 'joined') Object.assign(state, { joined: message.joined, done: true });
    if (message.type === 'count') state.count = message;
  });
  const localAddress = `127.0.0.${2 + index}`;
  worker.child.send({ urls, first, count, localAddress, roomSize });
  return state;
}

async function counts(workers) {
  for (const worker of workers) {
    worker.count = undefined;
    worker.child.send({ type: 'count' });
  }
  await until('counts from the workers', () => workers.every((worker) => worker.count), 10_000);
  return workers.reduce(
    (sum, { count }) => ({
      received: sum.received + count.received,
      duplicates: sum.duplicates + count.duplicates,
    }),
    { received: 0, duplicates: 0 },
  );
}

async function runScale() {
  const sockets = positiveInteger('sockets');
  const nodeCount = positiveInteger('nodes');
  const perWorker = positiveInteger('per-worker');
  const roomSize = positiveInteger('room-size');
  workDirectory('scale');
  const setup =
    nodeCount === 1 ? '1 process, memory stores' : `${nodeCount} processes over one Redis`;
  console.log(`node ${process.version}; ${sockets} sockets; ${setup}; rooms of ${roomSize}`);

  const redis = nodeCount > 1 ? await startRedis(options['redis-server']) : undefined;
  const nodes = await Promise.all(
    Array.from({ length: nodeCount }, (_, index) =>
      startNode({
        name: `node-${index + 1}`,
        main: options.main,
        redis,
        keyPrefix: 'scale:',
        env: { API_KEY },
      }),
    ),
  );
  const rssAtStart = nodes.map((node) => rssBytes(node.pid));
  const urls = nodes.map((node) => node.url);

  const started = performance.now();
  const workers = [];
  for (let first = 0, index = 0; first < sockets; first += perWorker, index += 1) {
    workers.push(startWorker(index, urls, first, Math.min(perWorker, sockets - first), roomSize));
  }
  const progress = setInterval(() => {
    const joined = workers.reduce((sum, worker) => sum + worker.joined, 0);
    console.log(
      `  ${joined} greeted and joined after ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  }, PROGRESS_INTERVAL_MS);
  try {
    await until('every socket greeted and joined', () => {
      const failed = workers.find((worker) => worker.hasExited());
      if (failed) throw new Error(`${failed.name} exited:\n${failed.log()}`);
      return workers.every((worker) => worker.done);
    });
  } finally {
    clearInterval(progress);
  }
  const joinSeconds = (performance.now() - started) / 1000;
  const perNode = await Promise.all(nodes.map(connectedSockets));

  const rooms = Math.ceil(sockets / roomSize);
  const broadcastStarted = performance.now();
  for (let room = 0; room < rooms; room += 1) {
    const node = nodes[room % nodes.length];
    const response = await fetch(`${node.url}/api/rooms/scale-${room}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event: BROADCAST_EVENT, data: { room } }),
    });
    const body = await response.json();
    if (response.status !== 202)
      throw new Error(`room ${room}: ${response.status} ${JSON.stringify(body)}`);
  }
  let total;
  await until(
    'every socket reached by its room broadcast',
    async () => {
      total = await counts(workers);
      return total.received >= sockets;
    },
    60_000,
  );
  const broadcastSeconds = (performance.now() - broadcastStarted) / 1000;

  console.log(`\n${setup}, ${sockets} sockets:\n`);
  console.log(
    `- greeted and joined in ${joinSeconds.toFixed(1)} s (${Math.round(sockets / joinSeconds)}/s)`,
  );
  console.log(
    `- ${rooms} room broadcasts reached ${total.received} sockets (${total.duplicates} twice) in ` +
      `${broadcastSeconds.toFixed(2)} s`,
  );
  nodes.forEach((node, index) => {
    const rss = rssBytes(node.pid);
    const perSocket = (rss - rssAtStart[index]) / perNode[index];
    console.log(
      `- ${node.name}: ${perNode[index]} sockets, RSS ${(rss / 2 ** 20).toFixed(0)} MB ` +
        `(${(perSocket / 1024).toFixed(1)} KB per socket over its start)`,
    );
  });
  if (redis) {
    const used = /^used_memory:(\d+)/m.exec(await redis.client.info('memory'))[1];
    console.log(`- redis-server: used_memory ${(Number(used) / 2 ** 20).toFixed(0)} MB`);
    redis.client.disconnect();
  }
  if (total.received !== sockets || total.duplicates !== 0) {
    throw new Error(`expected ${sockets} broadcasts received once each`);
  }
}

(options.worker ? runWorker() : runScale()).then(
  () => {
    if (!options.worker) process.exit(0);
  },
  (error) => {
    process.stderr.write(`scale: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
