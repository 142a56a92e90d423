import { Redis } from 'ioredis';
import { startReplicatedRedis } from '../../../test/support/redis-sentinels.js';
import {
  describeWithRedis,
  uniquePrefix,
  type RedisServer,
} from '../../../test/support/redis-server.js';
import { describeHistoryStore } from '../stores.contract.js';
import { describeHistoryWebhookEvents } from '../history-webhook-events.contract.js';
import { RedisWebhookQueue } from './redis-webhook-queue.js';
import type { HistoryLimits, MessageDraft } from '../stores.js';
import { ReplicaConfirmedWrites } from './durable-writes.js';
import { RedisHistoryStore } from './redis-history.store.js';
import { RedisKeys } from './redis-keys.js';

/** Short where the replica is frozen (each write waits it out), roomy where it must confirm. */
const WAIT_TIMEOUT_MS = 300;
const CONFIRMING_TIMEOUT_MS = 5000;
const LIMITS: HistoryLimits = {
  perRoom: 100,
  rooms: 100,
  evictIdleMs: 0,
  newRoomsPerHour: 100,
};

describeWithRedis('history confirmed by a replica (REDIS_WAIT_REPLICAS=1)', () => {
  let master: RedisServer;
  let replica: RedisServer;
  // Two connections, as two nodes have: WAIT covers only its own connection's writes.
  let first: Redis;
  let second: Redis;
  const storeOn = (
    client: Redis,
    keys = new RedisKeys(uniquePrefix('durable')),
    timeoutMs = CONFIRMING_TIMEOUT_MS,
  ) =>
    new RedisHistoryStore(client, keys, LIMITS, new ReplicaConfirmedWrites(client, 1, timeoutMs));

  beforeAll(async () => {
    [master, replica] = await startReplicatedRedis();
    first = new Redis(master.url);
    second = new Redis(master.url);
  });
  afterEach(() => replica.resume());
  afterAll(async () => {
    first.disconnect();
    second.disconnect();
    await Promise.all([replica.close(), master.close()]);
  });

  describeHistoryStore(
    'redis, confirmed by a replica',
    (limits) =>
      new RedisHistoryStore(
        first,
        new RedisKeys(uniquePrefix('durable')),
        limits,
        new ReplicaConfirmedWrites(first, 1, WAIT_TIMEOUT_MS),
      ),
  );
  describeHistoryWebhookEvents('redis, confirmed by a replica,', (history, webhooks) => {
    const keys = new RedisKeys(uniquePrefix('durable'));
    const storeOn = (client: Redis) =>
      new RedisHistoryStore(
        client,
        keys,
        history,
        new ReplicaConfirmedWrites(client, 1, WAIT_TIMEOUT_MS),
        webhooks,
      );
    return {
      stores: [storeOn(first), storeOn(second)],
      queue: new RedisWebhookQueue(first, keys, webhooks),
    };
  });

  it('confirms a repeated clientMsgId first written through another connection only once the replica holds it', async () => {
    const keys = new RedisKeys(uniquePrefix('durable'));
    const onFirst = storeOn(first, keys, WAIT_TIMEOUT_MS);
    const onSecond = storeOn(second, keys, WAIT_TIMEOUT_MS);
    const draft: MessageDraft = {
      id: 'm1',
      room: 'r',
      user: { id: 'u', name: 'U' },
      text: 'kept?',
      ts: Date.now(),
      clientMsgId: 'c1',
    };
    replica.pause();

    await expect(onFirst.append(draft)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(onSecond.append({ ...draft, id: 'm2' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    replica.resume();
    expect(await storeOn(second, keys).append({ ...draft, id: 'm3' })).toEqual({
      created: false,
      message: { ...draft, offset: 1 },
    });
  });

  it('sends one WAIT for the writes answered together', async () => {
    const store = storeOn(first);
    const waitsBefore = await waitCalls(first);

    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        store.append({
          id: `m${index}`,
          room: 'r',
          user: { id: 'u', name: 'U' },
          text: 'batched',
          ts: Date.now(),
        }),
      ),
    );

    expect((await waitCalls(first)) - waitsBefore).toBeLessThan(10);
  });
});

async function waitCalls(client: Redis): Promise<number> {
  const stats = await client.info('commandstats');
  return Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}
