import type { Cluster } from 'ioredis';
import type { Message } from '@switchboard/contract';
import type { RedisCluster } from '../../../test/support/redis-cluster.js';
import { uniquePrefix } from '../../../test/support/redis-server.js';
import type { MessageWebhookEvent } from '../stores.js';
import type { WebhookMarker, WebhookQueueLimits } from '../webhook-queue.js';
import { RedisHistoryStore } from './redis-history.store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisWebhookQueue } from './redis-webhook-queue.js';
import { UnconfirmedWrites } from './durable-writes.js';

const HISTORY = { perRoom: 100, rooms: 100, evictIdleMs: 0, newRoomsPerHour: 100 };
const PARTITION = 0;
const LIMITS: WebhookQueueLimits = { partitions: 1, perPartition: 100 };

/** A node's history store on `redis`, queueing webhook events within `limits`. */
function historyOn(redis: Cluster, keys: RedisKeys, limits: WebhookQueueLimits) {
  return new RedisHistoryStore(redis, keys, HISTORY, new UnconfirmedWrites(redis), limits);
}

function draft(room: string, id: string) {
  return { id, room, user: { id: 'u', name: 'U' }, text: id, ts: 1000 };
}

/** A message.created event whose JSON is just `{"id": …, "message": <the message>}`. */
function eventOf(id: string, ts = 1000): MessageWebhookEvent {
  return { partition: PARTITION, ts, before: `{"id":"${id}","message":`, after: '}' };
}

/**
 * What is particular to `message.created` on a Redis Cluster: events in rooms' outboxes, read in
 * the places of their markers in the partition (WebhookOutboxes). `context` gives the cluster and
 * two clients of it (two nodes) once started.
 */
export function describeWebhookOutboxes(
  context: () => { cluster: RedisCluster; redis: Cluster; other: Cluster },
) {
  describe('webhook outboxes on a Redis Cluster', () => {
    function setUp(limits = LIMITS) {
      const { redis } = context();
      const keys = new RedisKeys(uniquePrefix('outboxes'));
      const store = historyOn(redis, keys, limits);
      const queue = new RedisWebhookQueue(redis, keys, limits);
      /** Stores a message and returns the marker the node is to append (not appended yet). */
      async function stored(room: string, id: string): Promise<WebhookMarker> {
        const result = await store.append(draft(room, id), undefined, undefined, eventOf(id));
        if (!result.created || result.webhookMarker === undefined) throw new Error('no marker');
        return result.webhookMarker;
      }
      const idsIn = async (limit = 100) =>
        (await queue.head(PARTITION, limit)).map(
          (entry) => (JSON.parse(entry.json) as { id: string }).id,
        );
      return { redis, keys, store, queue, stored, idsIn };
    }

    it("reads each marker's room events in its place, in offset order, and removes a marker left with none", async () => {
      const { redis, keys, queue, stored } = setUp();
      const [a1, a2, b1] = [
        await stored('a', 'a1'),
        await stored('a', 'a2'),
        await stored('b', 'b1'),
      ];
      // a2's node appended its marker before a1's did.
      await queue.append(PARTITION, [a2, b1, a1]);

      const head = await queue.head(PARTITION, 10);
      expect(head.map((entry) => (JSON.parse(entry.json) as { id: string }).id)).toEqual([
        'a1',
        'a2',
        'b1',
      ]);
      // a1's marker had nothing left to read: gone, and the backlog counts one event per marker.
      expect(await redis.xlen(keys.webhookEvents(PARTITION))).toBe(2);
      expect((await queue.backlog()).queued).toBe(2);

      await queue.remove(
        PARTITION,
        head.map((entry) => entry.position),
      );
      expect(await queue.head(PARTITION, 10)).toEqual([]);
      expect(await queue.backlog()).toEqual({ queued: 0, oldestTs: undefined, dropped: 0 });
      // Emptied outboxes leave no key behind (each in its own slot: one command per key).
      expect(await redis.exists(keys.webhookOutbox('a'))).toBe(0);
      expect(await redis.exists(keys.webhookOutbox('b'))).toBe(0);
    });

    it('keeps a marker read in part until every event up to its own is delivered', async () => {
      const { redis, keys, queue, stored, idsIn } = setUp();
      const markers = [await stored('r', 'r1'), await stored('r', 'r2'), await stored('r', 'r3')];
      await queue.append(PARTITION, [markers[2], markers[0], markers[1]]);

      const first = await queue.head(PARTITION, 2);
      expect(first.map((entry) => (JSON.parse(entry.json) as { id: string }).id)).toEqual([
        'r1',
        'r2',
      ]);
      await queue.remove(
        PARTITION,
        first.map((entry) => entry.position),
      );
      const [last] = await queue.head(PARTITION, 1);
      expect((JSON.parse(last.json) as { id: string }).id).toBe('r3');
      await queue.remove(PARTITION, [last.position]);

      // r1's and r2's markers are left with nothing: a head of one reads past them, and drops them.
      await queue.append(PARTITION, [await stored('s', 's1')]);
      expect(await idsIn(1)).toEqual(['s1']);
      expect(await redis.xlen(keys.webhookEvents(PARTITION))).toBe(1);
      expect((await queue.backlog()).queued).toBe(1);
    });

    it('reads an event at its own marker, so that the backlog counts one event per marker', async () => {
      const { redis, keys, queue, stored } = setUp();
      await queue.append(PARTITION, [await stored('r', 'r1'), await stored('r', 'r2')]);

      const [first] = await queue.head(PARTITION, 10);
      await queue.remove(PARTITION, [first.position]);
      expect(await redis.xlen(keys.webhookEvents(PARTITION))).toBe(1);
      expect(await queue.backlog()).toMatchObject({ queued: 1 });
    });

    it("bounds a room's outbox like a partition, and counts its drops with the marker", async () => {
      const { redis, keys, queue, stored, idsIn } = setUp({ partitions: 1, perPartition: 2 });
      const markers: WebhookMarker[] = [];
      for (let i = 1; i <= 5; i += 1) markers.push(await stored('r', `r${i}`));
      expect(await redis.xlen(keys.webhookOutbox('r'))).toBe(2);
      expect(markers.map((marker) => marker.dropped)).toEqual([0, 0, 1, 1, 1]);

      // The partition's bound trims three markers too, which drops no more events.
      await queue.append(PARTITION, markers);
      expect(await queue.backlog()).toEqual({ queued: 2, oldestTs: 1000, dropped: 3 });
      expect(await idsIn()).toEqual(['r4', 'r5']);
    });

    it("spreads rooms' outboxes over the masters, each in its room's slot", async () => {
      const { cluster } = context();
      const { keys, queue, stored, idsIn } = setUp();
      const rooms = Array.from({ length: 12 }, (_, index) => `room-${index}`);
      for (const room of rooms) await queue.append(PARTITION, [await stored(room, room)]);

      const outboxes = await cluster.keysPerMaster(`${keys.prefix}webhook-outbox:`);
      expect(outboxes.reduce((sum, count) => sum + count, 0)).toBe(rooms.length);
      expect(outboxes.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
      expect(await idsIn()).toEqual(rooms);
    });

    it("delivers two nodes' messages to three rooms, sent at once, in offset order per room, in small batches", async () => {
      const { redis, other } = context();
      const keys = new RedisKeys(uniquePrefix('outboxes'));
      const nodes = [redis, other].map((client) => ({
        history: historyOn(client, keys, LIMITS),
        queue: new RedisWebhookQueue(client, keys, LIMITS),
      }));
      const rooms = ['a', 'b', 'c'];
      await Promise.all(
        Array.from({ length: 90 }, async (_, i) => {
          const { history, queue } = nodes[i % 2];
          const result = await history.append(
            draft(rooms[i % 3], `m${i}`),
            undefined,
            undefined,
            eventOf(`m${i}`),
          );
          if (result.created && result.webhookMarker !== undefined) {
            await queue.append(PARTITION, [result.webhookMarker]);
          }
        }),
      );

      const queue = nodes[0].queue;
      const offsets = new Map<string, number[]>(rooms.map((room) => [room, []]));
      // 90 events in batches of 7: at most 13 rounds, the bound only guards against a loop.
      for (let round = 0; round < 90; round += 1) {
        const batch = await queue.head(PARTITION, 7);
        if (batch.length === 0) break;
        for (const entry of batch) {
          const { message } = JSON.parse(entry.json) as { message: Message };
          offsets.get(message.room)!.push(message.offset);
        }
        await queue.remove(
          PARTITION,
          batch.map((entry) => entry.position),
        );
      }
      const oneToThirty = Array.from({ length: 30 }, (_, i) => i + 1);
      expect(offsets).toEqual(new Map(rooms.map((room) => [room, oneToThirty])));
      expect(await queue.backlog()).toEqual({ queued: 0, oldestTs: undefined, dropped: 0 });
      for (const room of rooms) expect(await redis.exists(keys.webhookOutbox(room))).toBe(0);
    });
  });
}
