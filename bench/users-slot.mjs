// What the users' hash slot costs Redis (presence, users' sockets and pending notifications share
// it, so on a Redis Cluster one master carries it): Redis's time in scripts per connection that
// registers its socket, joins a room, leaves it and disconnects, over four nodes' stores, with
// 20 000 users already present in 5 000 rooms. With --departures, as webhooks with presence events
// make the stores schedule departures.
//
//   npm run build && node bench/users-slot.mjs [--connections 20000] [--departures]
import { parseArgs } from 'node:util';
import { startRedis } from './support/processes.mjs';
import { RedisKeys } from '../dist/storage/redis/redis-keys.js';
import { RedisPresenceStore } from '../dist/storage/redis/redis-presence.store.js';
import { RedisUserSocketsStore } from '../dist/storage/redis/redis-user-sockets.store.js';

const { values: options } = parseArgs({
  options: {
    connections: { type: 'string', default: '20000' },
    departures: { type: 'boolean', default: false },
  },
});
const NODES = 4;
const PRESENT = 20_000;
const ROOMS = 5_000;
const IN_FLIGHT = 200;
const NODE_TIMEOUT_MS = 6000;

const redis = await startRedis();
const client = redis.client;
const departures = options.departures ? { delayMs: 5000 } : undefined;
const keys = new RedisKeys('bench-users:');
const stores = Array.from({ length: NODES }, (_, index) => ({
  presence: new RedisPresenceStore(client, keys, `node-${index}`, departures),
  sockets: new RedisUserSocketsStore(client, keys, `node-${index}`, NODE_TIMEOUT_MS, departures),
}));
for (const { presence } of stores) await presence.heartbeat();

/** Runs `each(index)` for indexes from `first`, `count` of them, IN_FLIGHT at a time. */
async function inBatches(first, count, each) {
  for (let start = first; start < first + count; start += IN_FLIGHT) {
    const size = Math.min(IN_FLIGHT, first + count - start);
    await Promise.all(Array.from({ length: size }, (_, offset) => each(start + offset)));
  }
}

await inBatches(0, PRESENT, async (index) => {
  const { presence, sockets } = stores[index % NODES];
  const user = { id: `u${index}`, name: 'U' };
  await sockets.add(user, `s${index}`, 10);
  await presence.join(`r${index % ROOMS}`, user, `s${index}`, 100);
});

const connections = Number(options.connections);
await client.config('RESETSTAT');
const startedAt = performance.now();
await inBatches(PRESENT, connections, async (index) => {
  const { presence, sockets } = stores[index % NODES];
  const user = { id: `u${index}`, name: 'U' };
  const room = `r${index % ROOMS}`;
  await sockets.add(user, `s${index}`, 10);
  await presence.join(room, user, `s${index}`, 100);
  await presence.leave(room, user.id, `s${index}`, 'disconnect');
  await sockets.remove(user, `s${index}`);
});
const elapsedMs = performance.now() - startedAt;

let scriptUs = 0;
for (const line of (await client.info('commandstats')).split('\n')) {
  const stat = /^cmdstat_(eval\w*):calls=\d+,usec=(\d+)/.exec(line);
  if (stat) scriptUs += Number(stat[2]);
}
console.log(
  JSON.stringify({
    departures: options.departures,
    connections,
    cyclesPerSecond: Math.round(connections / (elapsedMs / 1000)),
    redisScriptUsPerCycle: Number((scriptUs / connections).toFixed(1)),
  }),
);
client.disconnect();
await redis.stop();
