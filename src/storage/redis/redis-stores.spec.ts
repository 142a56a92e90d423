import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  describeWithRedis,
  RedisServer,
  uniquePrefix,
} from '../../../test/support/redis-server.js';
import {
  describeHistoryStore,
  describePendingNotificationStore,
  describePresenceStore,
} from '../stores.contract.js';
import { describeIdempotencyStore } from '../idempotency.contract.js';
import { describePresentRooms } from '../present-rooms.contract.js';
import { describeUserSocketsStore } from '../user-sockets.contract.js';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';
import { RedisHistoryStore } from './redis-history.store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisPendingNotificationStore } from './redis-pending-notification.store.js';
import { RedisPresenceStore } from './redis-presence.store.js';
import { RedisUserSocketsStore } from './redis-user-sockets.store.js';
import { RedisWebhookQueue } from './redis-webhook-queue.js';
import { describeHistoryBoundsInRedis } from './redis-history-bounds.contract.js';
import { describeWebhookQueue } from '../webhook-queue.contract.js';
import { describeHistoryWebhookEvents } from '../history-webhook-events.contract.js';
import { UnconfirmedWrites } from './durable-writes.js';

const NODE_TIMEOUT_MS = 6000;
const HISTORY_LIMITS = { perRoom: 10, rooms: 10, evictIdleMs: 0, newRoomsPerHour: 10 };

describeWithRedis('Redis stores', () => {
  let server: RedisServer;
  let redis: Redis;
  // Each store gets keys of its own, as each test expects a fresh, empty store.
  const freshKeys = () => new RedisKeys(uniquePrefix('stores'));

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
  });
  const otherClients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(otherClients.map((client) => client.quit()));
    await redis.quit();
    await server.close();
  });

  describeHistoryStore('redis', (limits) => new RedisHistoryStore(redis, freshKeys(), limits));
  it("keeps a counter's count of new rooms until the end of its clock hour, in Redis", async () => {
    const keys = freshKeys();
    const limits = { perRoom: 10, rooms: 10, evictIdleMs: 0, newRoomsPerHour: 10 };
    const store = new RedisHistoryStore(redis, keys, limits);
    const hourStart = Date.UTC(2026, 0, 1, 12);
    const message = { id: 'm1', room: 'r', user: { id: 'u', name: 'U' }, text: 't' };
    await store.append({ ...message, ts: hourStart + 600_000 }, undefined, 'ann');

    const [key] = await redis.keys(`${keys.newRoomsPrefix}*`);
    expect(key).toBe(`${keys.newRoomsPrefix}${hourStart / 3_600_000}:ann`);
    expect(await redis.get(key)).toBe('1');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(3_000_000 - 10_000);
    expect(ttl).toBeLessThanOrEqual(3_000_000);
  });

  describeHistoryBoundsInRedis('redis', () => redis, freshKeys);

  describePresenceStore('redis', () => new RedisPresenceStore(redis, freshKeys(), randomUUID()));
  describePresentRooms('redis', () => new RedisPresenceStore(redis, freshKeys(), randomUUID()));
  /** The pending notifications of one live node, which holds the sockets it registers. */
  function pendingNotificationsOfNode(
    keys: RedisKeys,
    limits = { perUser: 10, total: 100 },
    nodeId = randomUUID(),
  ) {
    return {
      store: new RedisPendingNotificationStore(redis, keys, limits, nodeId),
      async holdSocketOf(userId: string) {
        const userSockets = await userSocketsOfLiveNode(keys, nodeId);
        await userSockets.add({ id: userId, name: userId }, randomUUID(), 10);
      },
    };
  }
  describePendingNotificationStore('redis', (limits) =>
    pendingNotificationsOfNode(freshKeys(), limits),
  );

  describe('redis schedule of offers across nodes', () => {
    const notification = () => ({
      id: randomUUID(),
      title: 't',
      body: 'b',
      ts: Date.now(),
      from: { id: 'system', name: 'System' },
    });

    it('schedules the offer on every node that holds a socket of the user, and on no other', async () => {
      const keys = freshKeys();
      const [a, b, c] = [1, 2, 3].map(() => pendingNotificationsOfNode(keys));
      await a.holdSocketOf('u1');
      await b.holdSocketOf('u1');

      await c.store.add('u1', notification(), 5000);

      for (const node of [a, b]) {
        expect(await node.store.dueOffers(5000, 10)).toEqual([{ userId: 'u1', at: 5000 }]);
      }
      expect(await c.store.dueOffers(5000, 10)).toEqual([]);
    });

    it("keeps a node's schedule of offers no longer than a day after its last change", async () => {
      const keys = freshKeys();
      const nodeId = randomUUID();
      const node = pendingNotificationsOfNode(keys, undefined, nodeId);
      await node.holdSocketOf('u1');
      await node.store.add('u1', notification(), 5000);
      const ttl = await redis.pttl(keys.offers(nodeId));
      expect(ttl).toBeGreaterThan(86_300_000);
      expect(ttl).toBeLessThanOrEqual(86_400_000);
    });
  });

  describeIdempotencyStore('redis', () => new RedisIdempotencyStore(redis, freshKeys()));
  describeWebhookQueue(
    'redis',
    (limits) => new RedisWebhookQueue(redis, freshKeys(), limits),
    (limits) => {
      // Two nodes: two connections, one prefix.
      const keys = freshKeys();
      const other = new Redis(server.url);
      otherClients.push(other);
      return [
        new RedisWebhookQueue(redis, keys, limits),
        new RedisWebhookQueue(other, keys, limits),
      ];
    },
  );

  describeHistoryWebhookEvents('redis', (history, webhooks) => {
    // Two nodes: two connections, one prefix.
    const keys = freshKeys();
    const other = new Redis(server.url);
    otherClients.push(other);
    const storeOn = (client: Redis) =>
      new RedisHistoryStore(client, keys, history, new UnconfirmedWrites(client), webhooks);
    return {
      stores: [storeOn(redis), storeOn(other)],
      queue: new RedisWebhookQueue(redis, keys, webhooks),
    };
  });
  it("queues no webhook event without the queue's bounds (webhooks off)", () => {
    const store = new RedisHistoryStore(redis, freshKeys(), HISTORY_LIMITS);
    expect(store.queuesWebhookEvents).toBe(false);
  });

  it('keeps an idempotent answer for as long as it was told, in Redis', async () => {
    const keys = freshKeys();
    const store = new RedisIdempotencyStore(redis, keys);
    await store.complete('k', { status: 200, body: {} }, 86_400_000);
    const ttl = await redis.pttl(keys.idempotency('k'));
    expect(ttl).toBeGreaterThan(86_300_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
  });

  /** A store of a node that heartbeats, as every live node's presence keeper makes it do. */
  async function userSocketsOfLiveNode(keys: RedisKeys, nodeId = randomUUID()) {
    await new RedisPresenceStore(redis, keys, nodeId).heartbeat();
    return new RedisUserSocketsStore(redis, keys, nodeId, NODE_TIMEOUT_MS);
  }
  describeUserSocketsStore('redis', () => userSocketsOfLiveNode(freshKeys()));

  describe('redis user sockets across nodes', () => {
    const u1 = { id: 'u1', name: 'U1' };
    it("counts a user's sockets on every node, and stops counting those of a dead node", async () => {
      const keys = freshKeys();
      const deadNode = randomUUID();
      const [nodeA, nodeB] = await Promise.all([
        userSocketsOfLiveNode(keys, deadNode),
        userSocketsOfLiveNode(keys),
      ]);
      await nodeA.add(u1, 'a1', 2);
      await nodeB.add(u1, 'b1', 2);
      expect((await nodeB.add(u1, 'b2', 2)).replaced).toEqual(['a1']);
      await nodeA.add(u1, 'a2', 2);

      await redis.zadd(keys.presenceNodes, Date.now() - NODE_TIMEOUT_MS - 1000, deadNode);
      expect((await nodeB.add(u1, 'b3', 2)).replaced).toEqual([]);
      expect((await nodeB.add(u1, 'b4', 2)).replaced).toEqual(['b2']);
    });
  });

  describe('redis presence across nodes', () => {
    const alice = { id: 'u-alice', name: 'Alice' };
    const bob = { id: 'u-bob', name: 'Bob' };

    it('keeps a user with tabs on two nodes present until the last tab leaves', async () => {
      const keys = freshKeys();
      const [nodeA, nodeB] = [randomUUID(), randomUUID()].map(
        (node) => new RedisPresenceStore(redis, keys, node),
      );
      expect((await nodeA.join('r', alice, 'a1', 10)).userChanged).toBe(true);
      expect((await nodeB.join('r', alice, 'b1', 10)).userChanged).toBe(false);
      expect(await nodeB.members('r')).toEqual([alice]);
      expect((await nodeA.leave('r', alice.id, 'a1')).userChanged).toBe(false);
      expect((await nodeB.leave('r', alice.id, 'b1')).userChanged).toBe(true);
    });

    it('reaps the presence of a node that stopped heartbeating, once, and not of live nodes', async () => {
      const keys = freshKeys();
      const deadNode = randomUUID();
      const dead = new RedisPresenceStore(redis, keys, deadNode);
      const alive = new RedisPresenceStore(redis, keys, randomUUID());
      await dead.heartbeat();
      await alive.heartbeat();
      await dead.join('r', alice, 'd1', 10);
      await dead.join('s', alice, 'd1', 10);
      await dead.join('r', bob, 'd2', 10);
      await alive.join('r', bob, 'a1', 10);
      expect(await alive.reapDeadNodes(NODE_TIMEOUT_MS)).toEqual([]);
      expect(await alive.sharesRoom(alice.id, bob.id)).toBe(true);

      // The dead node's heartbeat is made older than the timeout, as if it had stopped long ago.
      await redis.zadd(
        `${keys.presencePrefix}nodes`,
        Date.now() - NODE_TIMEOUT_MS - 1000,
        deadNode,
      );
      const departures = await alive.reapDeadNodes(NODE_TIMEOUT_MS);
      expect(departures).toEqual(
        expect.arrayContaining([
          { room: 'r', user: alice },
          { room: 's', user: alice },
        ]),
      );
      expect(departures).toHaveLength(2);
      expect(await alive.members('r')).toEqual([bob]);
      // Room `s` had only the dead node's user: it is no longer listed.
      expect(await alive.presentRooms(undefined, 10)).toEqual({
        rooms: [{ room: 'r', members: 1 }],
        more: false,
      });
      expect(await alive.roomsOf('d1')).toEqual([]);
      expect(await alive.sharesRoom(alice.id, bob.id)).toBe(false);
      expect(await alive.reapDeadNodes(NODE_TIMEOUT_MS)).toEqual([]);
      // A node that comes back after being reaped learns it, to register its presence again.
      expect(await dead.heartbeat()).toBe('reaped');
      expect(await alive.heartbeat()).toBe('registered');
    });

    it('tells every node that Redis lost the presence when its data is gone', async () => {
      const keys = freshKeys();
      const node = new RedisPresenceStore(redis, keys, randomUUID());
      await node.heartbeat();
      expect(await node.heartbeat()).toBe('registered');
      const lostKeys = await redis.keys(`${keys.presencePrefix}*`);
      await redis.del(...lostKeys);
      expect(await node.heartbeat()).toBe('lost');
      expect(await node.heartbeat()).toBe('registered');
    });
  });
});
