import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  describeWithRedis,
  RedisServer,
  uniquePrefix,
} from '../../../test/support/redis-server.js';
import { describeDepartures } from '../departures.contract.js';
import { describeUnacknowledgedNotifications } from '../unacknowledged.contract.js';
import { RedisPendingNotificationStore } from './redis-pending-notification.store.js';
import { RedisDepartureSchedule } from './redis-departure-schedule.js';
import { RedisKeys } from './redis-keys.js';
import { RedisPresenceStore } from './redis-presence.store.js';
import { RedisUserSocketsStore } from './redis-user-sockets.store.js';
import { liveNodeStores, NODE_TIMEOUT_MS } from '../../../test/support/redis-node-stores.js';

const DELAY_MS = 60_000;
const alice = { id: 'u-alice', name: 'Alice' };
const bob = { id: 'u-bob', name: 'Bob' };

describeWithRedis('Redis stores as sources of webhook events', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis.quit();
    await server.close();
  });

  /** The stores of one live node, scheduling departures after `delayMs`. */
  const liveNode = (keys: RedisKeys, delayMs = DELAY_MS, nodeId?: string) =>
    liveNodeStores(redis, keys, { delayMs, nodeId });

  /** As if the node had stopped heartbeating long ago. */
  const kill = (keys: RedisKeys, nodeId: string) =>
    redis.zadd(keys.presenceNodes, Date.now() - NODE_TIMEOUT_MS - 1000, nodeId);
  const afterTheDelay = (schedule: RedisDepartureSchedule) =>
    schedule.claimDue(Date.now() + 2 * DELAY_MS, 100);

  describeDepartures('redis', async (delayMs) => {
    const keys = new RedisKeys(uniquePrefix('departures'));
    const [one, other] = [await liveNode(keys, delayMs), await liveNode(keys, delayMs)];
    return { ...one, otherSchedule: other.schedule };
  });

  describeUnacknowledgedNotifications('redis', (limits, unacknowledgedMs) => {
    const keys = new RedisKeys(uniquePrefix('unacknowledged'));
    const [store, otherStore] = [randomUUID(), randomUUID()].map(
      (nodeId) => new RedisPendingNotificationStore(redis, keys, limits, nodeId, unacknowledgedMs),
    );
    return { store, otherStore };
  });

  it('schedules, once, the departure of users whose only sockets were on a node that died', async () => {
    const keys = new RedisKeys(uniquePrefix('departures'));
    const dead = await liveNode(keys);
    const [alive, another] = [await liveNode(keys), await liveNode(keys)];
    await dead.userSockets.add(alice, 'd1', 10);
    await dead.userSockets.add(bob, 'd2', 10);
    await alive.userSockets.add(bob, 'a1', 10);
    expect(await afterTheDelay(alive.schedule)).toEqual([]);

    await kill(keys, dead.nodeId);
    // The first claim takes the dead node's sockets out; the departures fall due after the delay.
    expect(await alive.schedule.claimDue(Date.now(), 100)).toEqual([]);
    const claims = await Promise.all([
      afterTheDelay(alive.schedule),
      afterTheDelay(another.schedule),
    ]);
    expect(claims.flat()).toEqual([{ kind: 'user', user: alice, lastSeen: expect.any(Number) }]);
    expect(await afterTheDelay(another.schedule)).toEqual([]);
    expect(await redis.exists(keys.socketsOfNode(dead.nodeId))).toBe(0);
    expect(await redis.sismember(keys.nodesWithSockets, dead.nodeId)).toBe(0);
  });

  it('schedules the departures of the members and rooms of a node that died, as it is reaped', async () => {
    const keys = new RedisKeys(uniquePrefix('departures'));
    const dead = await liveNode(keys);
    const alive = await liveNode(keys);
    await dead.presence.join('r', alice, 'd1', 10);
    await dead.presence.join('s', alice, 'd1', 10);
    await alive.presence.join('s', bob, 'a1', 10);
    await kill(keys, dead.nodeId);

    expect(await alive.presence.reapDeadNodes(NODE_TIMEOUT_MS)).toHaveLength(2);
    expect(await afterTheDelay(alive.schedule)).toEqual([
      { kind: 'member', room: 'r', user: alice },
      { kind: 'member', room: 's', user: alice },
      { kind: 'room', room: 'r' },
    ]);
  });

  it('finds a socket registered again after an outage on its node, if that node dies', async () => {
    const keys = new RedisKeys(uniquePrefix('departures'));
    const node = await liveNode(keys);
    const alive = await liveNode(keys);
    await node.userSockets.restore(alice, 'r1');
    await kill(keys, node.nodeId);
    expect(await alive.schedule.claimDue(Date.now(), 100)).toEqual([]);
    expect(await afterTheDelay(alive.schedule)).toEqual([
      { kind: 'user', user: alice, lastSeen: expect.any(Number) },
    ]);
  });

  it('takes back, silently, the departure of a user whose socket is registered again', async () => {
    const keys = new RedisKeys(uniquePrefix('departures'));
    const node = await liveNode(keys);
    await node.userSockets.add(alice, 's1', 10);
    await node.userSockets.remove(alice, 's1');
    await node.userSockets.restore(alice, 's2');
    expect(await afterTheDelay(node.schedule)).toEqual([]);
  });

  it('treats a user whose sockets were all on a dead node and who reconnects as back, not new', async () => {
    const keys = new RedisKeys(uniquePrefix('departures'));
    const dead = await liveNode(keys);
    const alive = await liveNode(keys);
    await dead.userSockets.add(alice, 'd1', 10);
    await kill(keys, dead.nodeId);
    expect((await alive.userSockets.add(alice, 'a1', 10)).online).toBe(false);
    expect(await afterTheDelay(alive.schedule)).toEqual([]);
  });

  it('writes no departure and no socket index when departures are off', async () => {
    const keys = new RedisKeys(uniquePrefix('departures'));
    const nodeId = randomUUID();
    const presence = new RedisPresenceStore(redis, keys, nodeId);
    await presence.heartbeat();
    const userSockets = new RedisUserSocketsStore(redis, keys, nodeId, NODE_TIMEOUT_MS);
    expect(await userSockets.add(alice, 's1', 10)).toEqual({ replaced: [], online: false });
    expect((await presence.join('r', alice, 's1', 10)).news).toBeUndefined();
    await presence.leave('r', alice.id, 's1', 'disconnect');
    await userSockets.remove(alice, 's1');
    expect(await redis.keys(`${keys.prefix}*depart*`)).toEqual([]);
    expect(await redis.keys(`${keys.prefix}*sockets-of-node*`)).toEqual([]);
    expect(await redis.exists(keys.nodesWithSockets)).toBe(0);
  });
});
