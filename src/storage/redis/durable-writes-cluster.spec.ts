import type { Cluster } from 'ioredis';
import { describeWithRedisCluster, RedisCluster } from '../../../test/support/redis-cluster.js';
import { uniquePrefix } from '../../../test/support/redis-server.js';
import type { RedisSettings } from '../../config/redis-settings.js';
import type { HistoryLimits, MessageDraft } from '../stores.js';
import { ReplicaConfirmedWrites } from './durable-writes.js';
import { redisClusterClientOf } from './redis-client.js';
import { RedisHistoryStore } from './redis-history.store.js';
import { RedisKeys } from './redis-keys.js';

/** Short: a write to the master whose replica is frozen waits it out. */
const WAIT_TIMEOUT_MS = 300;
const LIMITS: HistoryLimits = { perRoom: 100, rooms: 100, evictIdleMs: 0, newRoomsPerHour: 100 };

describeWithRedisCluster('history confirmed by replicas on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await RedisCluster.start({ replicas: true });
    const settings: RedisSettings = {
      topology: { kind: 'cluster', nodes: cluster.nodes, url: undefined },
      keyPrefix: 'unused:',
      waitReplicas: 1,
      waitTimeoutMs: WAIT_TIMEOUT_MS,
    };
    client = redisClusterClientOf(settings, { enableOfflineQueue: false });
    if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
  });
  afterEach(() => {
    for (const replica of cluster.replicaOf.values()) replica.resume();
  });
  afterAll(async () => {
    await client?.quit();
    await cluster?.close();
  });

  it("waits for the replica of the master that took the write, and only for that one's", async () => {
    const keys = new RedisKeys(uniquePrefix('durable-cluster'));
    const store = new RedisHistoryStore(
      client,
      keys,
      LIMITS,
      new ReplicaConfirmedWrites(client, 1, WAIT_TIMEOUT_MS),
    );
    const draft = (room: string): MessageDraft => ({
      id: `${room}-m`,
      room,
      user: { id: 'u', name: 'U' },
      text: 't',
      ts: Date.now(),
    });
    const rooms = Array.from({ length: 12 }, (_, index) => `room-${index}`);
    const masters = await Promise.all(rooms.map((room) => cluster.masterOf(keys.history(room))));
    for (const room of rooms) expect((await store.append(draft(room))).created).toBe(true);

    const frozen = masters[0];
    cluster.replicaOf.get(frozen.port)!.pause();
    const outcomes = await Promise.all(
      rooms.map((room) =>
        store.append(draft(room)).then(
          (result) => result.created,
          (error: { code?: string }) => error.code,
        ),
      ),
    );

    expect(outcomes).toEqual(masters.map((master) => (master === frozen ? 'UNAVAILABLE' : true)));
    expect(new Set(masters).size).toBeGreaterThanOrEqual(2);
  });
});
