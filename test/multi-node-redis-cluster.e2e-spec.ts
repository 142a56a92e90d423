import type { Message } from '@switchboard/contract';
import { RedisKeys } from '../src/storage/redis/redis-keys.js';
import { closeAllClients, connectAs, nextEvent, ok } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { uniqueId } from './support/identities.js';
import { describeWithRedisCluster } from './support/redis-cluster.js';
import { joined, sent } from './support/rooms.js';

/**
 * Whole nodes started with REDIS_CLUSTER_NODES, in every run of the tests (the other multi-node
 * suites run on a cluster too when SWITCHBOARD_TEST_REDIS=cluster, as CI does).
 */
describeWithRedisCluster('two nodes over a Redis Cluster of three masters', () => {
  const cluster = useCluster('multi-node-redis-cluster', { size: 2, topology: 'Redis Cluster' });
  afterEach(() => closeAllClients());

  it("carries rooms' messages across nodes, each room's history on its slot's master, spread over the masters", async () => {
    const [a, b] = cluster.urls;
    const alice = await connectAs(a, 'alice');
    const bob = await connectAs(b, 'bob');
    const rooms = Array.from({ length: 8 }, () => uniqueId('spread'));
    for (const room of rooms) {
      await joined(alice, room);
      await joined(bob, room);
      const toBob = nextEvent<Message>(bob, 'chat:message');
      const message = await sent(alice, room, `to ${room}`);
      expect(await toBob).toEqual(message);
    }

    const keys = new RedisKeys(cluster.keyPrefix);
    const masters = new Set<number>();
    for (const room of rooms) {
      const master = await cluster.redis.connectionTo(keys.history(room));
      try {
        expect(await master.exists(keys.history(room))).toBe(1);
        masters.add(master.options.port!);
      } finally {
        master.disconnect();
      }
    }
    expect(masters.size).toBeGreaterThanOrEqual(2);

    const { members } = await ok<{ members: unknown[] }>(bob, 'room:members', { room: rooms[0] });
    expect(members).toHaveLength(2);
    const usersMaster = await cluster.redis.connectionTo(keys.usersSlot);
    try {
      expect(await usersMaster.hlen(`${keys.presencePrefix}users:${rooms[0]}`)).toBe(2);
    } finally {
      usersMaster.disconnect();
    }
  });
});
