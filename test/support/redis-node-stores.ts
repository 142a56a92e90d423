import { randomUUID } from 'node:crypto';
import type { RedisCommands } from '../../src/storage/redis/redis-client.js';
import { RedisDepartureSchedule } from '../../src/storage/redis/redis-departure-schedule.js';
import type { RedisKeys } from '../../src/storage/redis/redis-keys.js';
import { RedisPresenceStore } from '../../src/storage/redis/redis-presence.store.js';
import { RedisUserSocketsStore } from '../../src/storage/redis/redis-user-sockets.store.js';

/** How long a node may be silent before the others take it for dead, in the stores' tests. */
export const NODE_TIMEOUT_MS = 6000;

/**
 * The Redis stores of one live node (it heartbeats, as its presence keeper makes it do); with
 * `delayMs`, they schedule departures, as webhooks with presence events make them.
 */
export async function liveNodeStores(
  redis: RedisCommands,
  keys: RedisKeys,
  { delayMs, nodeId = randomUUID() }: { delayMs?: number; nodeId?: string } = {},
) {
  const options = delayMs === undefined ? undefined : { delayMs };
  const presence = new RedisPresenceStore(redis, keys, nodeId, options);
  await presence.heartbeat();
  return {
    nodeId,
    presence,
    userSockets: new RedisUserSocketsStore(redis, keys, nodeId, NODE_TIMEOUT_MS, options),
    schedule: new RedisDepartureSchedule(redis, keys, nodeId, NODE_TIMEOUT_MS, {
      delayMs: delayMs ?? 0,
    }),
  };
}
