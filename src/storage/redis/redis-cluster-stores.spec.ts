import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { describeWithRedisCluster, RedisCluster } from '../../../test/support/redis-cluster.js';
import { uniquePrefix } from '../../../test/support/redis-server.js';
import { chatRoom } from '@switchboard/contract';
import type { RedisSettings } from '../../config/redis-settings.js';
import { eventually } from '../../../test/support/redis-sentinels.js';
import { describeIdempotencyStore } from '../idempotency.contract.js';
import { describeDepartures } from '../departures.contract.js';
import { describePresentRooms } from '../present-rooms.contract.js';
import {
  describeHistoryStore,
  describePendingNotificationStore,
  describePresenceStore,
} from '../stores.contract.js';
import { describeUnacknowledgedNotifications } from '../unacknowledged.contract.js';
import { describeUserSocketsStore } from '../user-sockets.contract.js';
import { describeWebhookQueue } from '../webhook-queue.contract.js';
import { describeHistoryWebhookEvents } from '../history-webhook-events.contract.js';
import { describeWebhookOutboxes } from './redis-webhook-outboxes.contract.js';
import { UnconfirmedWrites } from './durable-writes.js';
import { hashSlotOf } from './hash-slot.js';
import { commandClientOf, redisClusterClientOf } from './redis-client.js';
import { FAILING_AT_ONCE, REDIS_COMMAND_TIMEOUT_MS } from './redis-connection.js';
import { RedisHistoryStore } from './redis-history.store.js';
import { describeHistoryBoundsInRedis } from './redis-history-bounds.contract.js';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';
import { RedisKeys } from './redis-keys.js';
import { liveNodeStores } from '../../../test/support/redis-node-stores.js';
import { RedisPendingNotificationStore } from './redis-pending-notification.store.js';
import { RedisPresenceStore } from './redis-presence.store.js';
import { RedisWebhookQueue } from './redis-webhook-queue.js';

const HISTORY_LIMITS = { perRoom: 10, rooms: 100, evictIdleMs: 0, newRoomsPerHour: 100 };

/** A node's settings on `cluster`, as REDIS_CLUSTER_NODES and REDIS_KEY_PREFIX give them. */
function clusterSettings(cluster: RedisCluster, keyPrefix: string): RedisSettings {
  return {
    topology: { kind: 'cluster', nodes: cluster.nodes, url: undefined },
    keyPrefix,
    waitReplicas: 0,
    waitTimeoutMs: 1000,
  };
}

/**
 * The stores on a real Redis Cluster of three masters, through the client a node makes of
 * REDIS_CLUSTER_NODES: the same contract suites as on one Redis.
 */
describeWithRedisCluster('Redis stores on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let redis: Cluster;
  /** A second node's client. */
  let other: Cluster;
  const clients: Cluster[] = [];
  const freshKeys = () => new RedisKeys(uniquePrefix('cluster-stores'));
  const clientOf = (nodes: RedisCluster) => {
    const settings = clusterSettings(nodes, 'unused:');
    const client = redisClusterClientOf(settings, {});
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    redis = clientOf(cluster);
    other = clientOf(cluster);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    await cluster?.close();
  });

  describeHistoryStore(
    'redis cluster',
    (limits) => new RedisHistoryStore(redis, freshKeys(), limits),
  );
  describeHistoryBoundsInRedis('redis cluster', () => redis, freshKeys);
  describeIdempotencyStore('redis cluster', () => new RedisIdempotencyStore(redis, freshKeys()));
  describeWebhookQueue(
    'redis cluster',
    (limits) => new RedisWebhookQueue(redis, freshKeys(), limits),
    (limits) => {
      // Two nodes: two clients of the cluster, one prefix.
      const keys = freshKeys();
      return [
        new RedisWebhookQueue(redis, keys, limits),
        new RedisWebhookQueue(clientOf(cluster), keys, limits),
      ];
    },
  );

  describeHistoryWebhookEvents('redis cluster', (history, webhooks) => {
    // Two nodes: two clients of the cluster, one prefix.
    const keys = freshKeys();
    const storeOn = (client: Cluster) =>
      new RedisHistoryStore(client, keys, history, new UnconfirmedWrites(client), webhooks);
    return {
      stores: [storeOn(redis), storeOn(other)],
      queue: new RedisWebhookQueue(redis, keys, webhooks),
    };
  });
  describeWebhookOutboxes(() => ({ cluster, redis, other }));

  const liveNode = (keys: RedisKeys, delayMs?: number, nodeId?: string) =>
    liveNodeStores(redis, keys, { delayMs, nodeId });
  describePresenceStore('redis cluster', () => new RedisPresenceStore(redis, freshKeys(), 'n'));
  describePresentRooms('redis cluster', () => new RedisPresenceStore(redis, freshKeys(), 'n'));
  describeUserSocketsStore('redis cluster', async () => (await liveNode(freshKeys())).userSockets);
  describePendingNotificationStore('redis cluster', (limits) => {
    const keys = freshKeys();
    const nodeId = randomUUID();
    return {
      store: new RedisPendingNotificationStore(redis, keys, limits, nodeId),
      async holdSocketOf(userId: string) {
        const { userSockets } = await liveNode(keys, undefined, nodeId);
        await userSockets.add({ id: userId, name: userId }, randomUUID(), 10);
      },
    };
  });
  describeDepartures('redis cluster', async (delayMs) => {
    const keys = freshKeys();
    const [one, other] = [await liveNode(keys, delayMs), await liveNode(keys, delayMs)];
    return { ...one, otherSchedule: other.schedule };
  });
  describeUnacknowledgedNotifications('redis cluster', (limits, unacknowledgedMs) => {
    const keys = freshKeys();
    const [store, otherStore] = [randomUUID(), randomUUID()].map(
      (nodeId) => new RedisPendingNotificationStore(redis, keys, limits, nodeId, unacknowledgedMs),
    );
    return { store, otherStore };
  });

  it("keeps presence, users' sockets and pending notifications in the users' one slot", async () => {
    const keys = freshKeys();
    const node = await liveNode(keys, 60_000);
    const alice = { id: 'u-alice', name: 'Alice' };
    await node.presence.join('lobby', alice, 's1', 10);
    await node.userSockets.add(alice, 's1', 10);
    const pending = new RedisPendingNotificationStore(redis, keys, { perUser: 5, total: 50 }, 'n');
    const notification = { id: randomUUID(), title: 't', body: 'b', ts: Date.now() };
    await pending.add(alice.id, { ...notification, from: { id: 'system', name: 'System' } }, 0);

    const perMaster = await cluster.keysPerMaster(keys.prefix);
    const master = await cluster.masterOf(keys.usersSlot);
    expect(perMaster[cluster.masters.indexOf(master)]).toBeGreaterThanOrEqual(6);
    expect(perMaster.reduce((sum, count) => sum + count, 0)).toBe(
      perMaster[cluster.masters.indexOf(master)],
    );
  });

  it("spreads rooms over the masters, each room's keys in its one slot", async () => {
    const keys = freshKeys();
    const limits = { perRoom: 10, rooms: 100, evictIdleMs: 0, newRoomsPerHour: 100 };
    const store = new RedisHistoryStore(redis, keys, limits);
    const rooms = Array.from({ length: 12 }, (_, index) => `room-${index}`);
    for (const room of rooms) {
      const user = { id: 'u', name: 'U' };
      await store.append({ id: room, room, user, text: 't', ts: 1, clientMsgId: 'c' });
    }

    const histories = await cluster.keysPerMaster(keys.historyPrefix);
    expect(histories.reduce((sum, count) => sum + count, 0)).toBe(rooms.length);
    const holding = histories.filter((count) => count > 0);
    expect(holding.length).toBeGreaterThanOrEqual(2);
    for (const room of rooms) {
      const roomKeys = [keys.lastOffset(room), keys.history(room), keys.clientMsgIds(room)];
      const slots = await Promise.all(
        roomKeys.map((key) => redis.call('CLUSTER', 'KEYSLOT', key) as Promise<number>),
      );
      expect(slots).toEqual(roomKeys.map(() => hashSlotOf(room)));
      expect(
        await redis.exists(
          ...roomKeys
            .map((key) => [key])
            .flat()
            .slice(0, 1),
        ),
      ).toBe(1);
    }
  });

  it("fails a command to a master that does not answer within the command timeout, and serves the other masters' rooms meanwhile", async () => {
    const keys = freshKeys();
    const settings = clusterSettings(cluster, keys.prefix);
    // The stores' client, as RedisConnection makes it.
    const commands = commandClientOf(settings, {
      ...FAILING_AT_ONCE,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    });
    const store = new RedisHistoryStore(commands, keys, HISTORY_LIMITS);
    const rooms = Array.from({ length: 12 }, (_, index) => `room-${index}`);
    const masters = await Promise.all(rooms.map((room) => cluster.masterOf(keys.history(room))));
    const away = masters[0];
    const elsewhere = rooms.find((_, index) => masters[index] !== away)!;
    // Without an offline queue, a command before the client is ready fails at once, as on one Redis.
    if (commands.status !== 'ready')
      await new Promise((resolve) => commands.once('ready', resolve));
    away.pause();
    try {
      const started = Date.now();
      await expect(store.lastOffset(rooms[0])).rejects.toThrow(/timed out/i);
      // The contract: an event that needs Redis is answered within 5 seconds.
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await store.lastOffset(elsewhere)).toBe(0);
    } finally {
      away.resume();
    }
    expect(await store.lastOffset(rooms[0])).toBe(0);
    await commands.quit();
  });

  it("publishes a stored message's broadcast on the room's channel, in the room's slot, to a sharded subscriber", async () => {
    const keys = freshKeys();
    const settings = clusterSettings(cluster, keys.prefix);
    const subscriber = redisClusterClientOf(settings, {}, { shardedSubscribers: true });
    clients.push(subscriber);
    const store = new RedisHistoryStore(redis, keys, HISTORY_LIMITS);
    const rooms = ['lobby', 'room-1', 'room-2', 'room-3'];
    const channels = rooms.map((room) => keys.channels.ofRoom(chatRoom(room)));
    // One channel per call: each is in its room's slot, on its own master.
    await Promise.all(channels.map((channel) => subscriber.ssubscribe(channel)));
    const received: string[] = [];
    subscriber.on('smessage', (channel: string) => received.push(channel));

    for (const room of rooms) {
      const draft = { id: room, room, user: { id: 'u', name: 'U' }, text: 't', ts: 1 };
      const broadcast = { event: 'chat:message', rooms: [chatRoom(room)], except: [] };
      expect((await store.append(draft, broadcast)).created).toBe(true);
    }

    await eventually('every broadcast received', () =>
      Promise.resolve(received.length === rooms.length ? true : undefined),
    );
    expect([...received].sort()).toEqual([...channels].sort());
    expect(
      new Set(await Promise.all(rooms.map((room) => cluster.masterOf(keys.history(room))))).size,
    ).toBeGreaterThanOrEqual(2);
  });
});
