// What `message.created` costs on a Redis Cluster, where the event waits in its room's outbox and
// the node appends a marker to the partition (docs/running-several-nodes.md, "Redis Cluster"),
// against one Redis, where the append script queues it in the partition. Store level, no sockets:
// `--messages` appends to `--rooms` rooms, 50 in flight, the markers of each event-loop turn
// appended together (as the node's outbox does); then the partitions drained by batches of 50
// (head, then remove). Prints, per setup, the medians over `--rounds` of appends a second, and the
// CPU per message of this process and of Redis (every master's `used_cpu_user + used_cpu_sys`).
//
//   npm run build && node bench/webhook-outboxes.mjs [--messages 20000] [--rooms 100] [--rounds 3]
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { freePort, REPO_DIR, startChild, waitFor, workDirectory } from './support/processes.mjs';
import { median } from './support/tables.mjs';

const { values: options } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    rooms: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
  },
});
const MESSAGES = Number(options.messages);
const ROOMS = Number(options.rooms);
const IN_FLIGHT = 50;
const BATCH = 50;
const LIMITS = { partitions: 4, perPartition: 1_000_000 };
const HISTORY = { perRoom: 1000, rooms: 100_000, evictIdleMs: 0, newRoomsPerHour: 100_000 };

const redisDir = join(REPO_DIR, 'dist', 'storage', 'redis');
const { RedisHistoryStore } = await import(join(redisDir, 'redis-history.store.js'));
const { RedisWebhookQueue } = await import(join(redisDir, 'redis-webhook-queue.js'));
const { RedisKeys } = await import(join(redisDir, 'redis-keys.js'));
const { UnconfirmedWrites } = await import(join(redisDir, 'durable-writes.js'));

async function startServer(name, extraArgs = []) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = startChild(name, 'redis-server', [...args, ...extraArgs]);
  const client = new Redis({ port, lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  await waitFor(child, name, async () => {
    if (client.status !== 'ready') await client.connect();
    return (await client.ping()) === 'PONG';
  });
  return { port, client };
}

async function startCluster() {
  const masters = [];
  for (let i = 0; i < 3; i += 1) {
    const conf = join(workDirectory('bench'), `nodes-${i}.conf`);
    masters.push(
      await startServer(`master-${i}`, ['--cluster-enabled', 'yes', '--cluster-config-file', conf]),
    );
  }
  const addresses = masters.map(({ port }) => `127.0.0.1:${port}`);
  await promisify(execFile)('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes']);
  await waitFor({ hasExited: () => false, log: () => '' }, 'the cluster', async () =>
    (await Promise.all(masters.map(({ client }) => client.call('CLUSTER', 'INFO')))).every((info) =>
      String(info).includes('cluster_state:ok'),
    ),
  );
  return masters;
}

async function redisCpuUs(servers) {
  const infos = await Promise.all(servers.map(({ client }) => client.info('cpu')));
  const seconds = (info, field) => Number(new RegExp(`${field}:([\\d.]+)`).exec(info)[1]);
  return infos.reduce(
    (sum, info) => sum + (seconds(info, 'used_cpu_user') + seconds(info, 'used_cpu_sys')) * 1e6,
    0,
  );
}

async function measured(servers, count, body) {
  const [redisBefore, before, started] = [
    await redisCpuUs(servers),
    process.cpuUsage(),
    Date.now(),
  ];
  await body();
  const elapsed = Date.now() - started;
  const { user, system } = process.cpuUsage(before);
  const redis = (await redisCpuUs(servers)) - redisBefore;
  return {
    perSecond: (count / elapsed) * 1000,
    nodeUs: (user + system) / count,
    redisUs: redis / count,
  };
}

/**
 * One round on `client`: appends (with their markers on a cluster), then the drain; without
 * `webhooks`, the appends alone, as with webhooks off.
 */
async function round(client, servers, round, webhooks) {
  const keys = new RedisKeys(`bench-${round}-${webhooks}:`);
  const writes = new UnconfirmedWrites(client);
  const history = new RedisHistoryStore(
    client,
    keys,
    HISTORY,
    writes,
    webhooks ? LIMITS : undefined,
  );
  const queue = new RedisWebhookQueue(client, keys, LIMITS);
  const user = { id: 'u', name: 'U' };
  let waiting = [];
  const flushes = [];
  const appendMarker = (partition, marker) => {
    if (waiting.push([partition, marker]) > 1) return;
    setImmediate(() => {
      const byPartition = new Map();
      for (const [partition, entry] of waiting) {
        if (!byPartition.has(partition)) byPartition.set(partition, []);
        byPartition.get(partition).push(entry);
      }
      waiting = [];
      for (const [partition, entries] of byPartition)
        flushes.push(queue.append(partition, entries));
    });
  };
  let next = 0;
  const append = await measured(servers, MESSAGES, async () => {
    const sender = async () => {
      for (let i = next++; i < MESSAGES; i = next++) {
        const ts = Date.now();
        const event = {
          partition: i % LIMITS.partitions,
          ts,
          before: `{"id":"e${i}","type":"message.created","ts":${ts},"data":{"message":`,
          after: '}}',
        };
        const draft = { id: `m${i}`, room: `room-${i % ROOMS}`, user, text: 'a message', ts };
        const result = await history.append(
          draft,
          undefined,
          undefined,
          webhooks ? event : undefined,
        );
        if (result.webhookMarker) appendMarker(event.partition, result.webhookMarker);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(flushes);
  });
  if (!webhooks) return { append };
  let delivered = 0;
  const drain = await measured(servers, MESSAGES, () =>
    Promise.all(
      Array.from({ length: LIMITS.partitions }, async (_, partition) => {
        for (let batch = await queue.head(partition, BATCH); batch.length > 0;) {
          delivered += batch.length;
          await queue.remove(
            partition,
            batch.map((entry) => entry.position),
          );
          batch = await queue.head(partition, BATCH);
        }
      }),
    ),
  );
  if (delivered !== MESSAGES) throw new Error(`${delivered} events of ${MESSAGES} delivered`);
  return { append, drain };
}

const oneRedis = [await startServer('redis')];
const masters = await startCluster();
const cluster = new Cluster(masters.map(({ port }) => ({ host: '127.0.0.1', port })));
const setups = [
  ['one Redis, webhooks off', oneRedis[0].client, oneRedis, false],
  ['one Redis', oneRedis[0].client, oneRedis, true],
  ['Redis Cluster (3 masters), webhooks off', cluster, masters, false],
  ['Redis Cluster (3 masters)', cluster, masters, true],
];
const rounds = Number(options.rounds);
console.log(`${MESSAGES} messages to ${ROOMS} rooms, ${IN_FLIGHT} in flight; medians of ${rounds}`);
console.log('| setup | step | per second | node CPU (µs/message) | Redis CPU (µs/message) |');
console.log('|---|---|---|---|---|');
for (const [name, client, servers, webhooks] of setups) {
  const results = [];
  for (let i = 0; i < rounds; i += 1) results.push(await round(client, servers, i, webhooks));
  for (const step of webhooks ? ['append', 'drain'] : ['append']) {
    const of = (field) => median(results.map((result) => result[step][field]));
    const row = [
      name,
      step,
      of('perSecond').toFixed(0),
      of('nodeUs').toFixed(1),
      of('redisUs').toFixed(1),
    ];
    console.log(`| ${row.join(' | ')} |`);
  }
}
cluster.disconnect();
process.exit(0);
