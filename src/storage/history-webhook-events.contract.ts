import type { Message, WebhookEvent } from '@switchboard/contract';
import type {
  AppendResult,
  HistoryLimits,
  HistoryStore,
  MessageDraft,
  MessageWebhookEvent,
} from './stores.js';
import type { WebhookQueue, WebhookQueueLimits } from './webhook-queue.js';

/** Two stores over one history and one webhook queue: two nodes of a cluster. */
export interface QueueingHistory {
  stores: [HistoryStore, HistoryStore];
  queue: WebhookQueue;
}

const HISTORY: HistoryLimits = { perRoom: 100, rooms: 100, evictIdleMs: 0, newRoomsPerHour: 100 };
const PARTITION = 1;

let drafts = 0;
function draft(room: string, clientMsgId?: string): MessageDraft {
  drafts += 1;
  const message = { id: `m-${drafts}`, room, user: { id: 'ann', name: 'Ann' }, text: `m${drafts}` };
  return { ...message, ts: Date.now(), ...(clientMsgId === undefined ? {} : { clientMsgId }) };
}

/** The event as Webhooks.messageEvent describes it: `{ id, type, ts, data: { message } }`. */
function eventOf(id: string, ts = 1_700_000_000_000): MessageWebhookEvent {
  const withoutData = JSON.stringify({ id, type: 'message.created', ts, data: {} });
  return { partition: PARTITION, ts, before: `${withoutData.slice(0, -2)}"message":`, after: '}}' };
}

/**
 * Appends as a node does: `store.append` with the event, then, when the store answers with a
 * marker (a Redis Cluster), the marker to the event's partition.
 */
async function appendQueueing(
  store: HistoryStore,
  queue: WebhookQueue,
  message: MessageDraft,
  event: MessageWebhookEvent,
): Promise<AppendResult> {
  const result = await store.append(message, undefined, undefined, event);
  if (result.created && result.webhookMarker !== undefined) {
    await queue.append(event.partition, [result.webhookMarker]);
  }
  return result;
}

function stored(result: AppendResult): Message {
  if (!result.created) throw new Error(`nothing was stored: ${JSON.stringify(result)}`);
  return result.message;
}

async function queuedEvents(queue: WebhookQueue): Promise<WebhookEvent[]> {
  return (await queue.head(PARTITION, 1000)).map((entry) => JSON.parse(entry.json) as WebhookEvent);
}

/**
 * What a history store that `queuesWebhookEvents` must do with the event `append` is given: queue
 * it in the step that allocates the offset, within the queue's bound, never for a message it does
 * not store. `create` returns fresh, empty stores and queue.
 */
export function describeHistoryWebhookEvents(
  name: string,
  create: (history: HistoryLimits, webhooks: WebhookQueueLimits) => QueueingHistory,
) {
  describe(`${name} history store queueing webhook events`, () => {
    const limits: WebhookQueueLimits = { partitions: 2, perPartition: 100 };

    it('queues the event of a new message with its offset, as one JSON text of the queue', async () => {
      const { stores, queue } = create(HISTORY, limits);
      expect(stores[0].queuesWebhookEvents).toBe(true);
      const message = stored(await appendQueueing(stores[0], queue, draft('r'), eventOf('e1')));

      const [entry, ...rest] = await queue.head(PARTITION, 10);
      expect(rest).toEqual([]);
      expect(entry.ts).toBe(1_700_000_000_000);
      const event = { id: 'e1', type: 'message.created', ts: 1_700_000_000_000, data: { message } };
      expect(entry.json).toBe(JSON.stringify(event));
      expect(await queue.head(0, 10)).toEqual([]);
    });

    it('queues nothing for a repeated clientMsgId, nor for a room refused its history', async () => {
      const { stores, queue } = create({ ...HISTORY, rooms: 1, evictIdleMs: 60_000 }, limits);
      await appendQueueing(stores[0], queue, draft('r', 'c1'), eventOf('first'));
      const repeated = await appendQueueing(stores[1], queue, draft('r', 'c1'), eventOf('x'));
      const refused = await appendQueueing(stores[0], queue, draft('other'), eventOf('y'));

      expect(repeated.created).toBe(false);
      expect(refused).toEqual({ created: false, refused: 'rooms' });
      expect((await queuedEvents(queue)).map((event) => event.id)).toEqual(['first']);
    });

    it("holds a room's events in offset order, whichever store appended each, at once", async () => {
      const { stores, queue } = create(HISTORY, limits);
      const appends = Array.from({ length: 60 }, (_, i) =>
        appendQueueing(stores[i % 2], queue, draft('busy'), eventOf(`e${i}`)),
      );
      await Promise.all(appends);

      const events = await queuedEvents(queue);
      const offsets = events.map((event) =>
        event.type === 'message.created' ? event.data.message.offset : -1,
      );
      expect(offsets).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    });

    it("keeps the partition within its bound, counting what goes, as the queue's own append", async () => {
      // On a Redis Cluster: the room's outbox drops e0, the partition 'other' and e0's marker.
      const { stores, queue } = create(HISTORY, { partitions: 2, perPartition: 3 });
      await queue.append(PARTITION, [{ ts: 1, json: '{"id":"other"}' }]);
      for (let i = 0; i < 4; i += 1) {
        await appendQueueing(stores[i % 2], queue, draft('r'), eventOf(`e${i}`, 10 + i));
      }

      expect((await queuedEvents(queue)).map((event) => event.id)).toEqual(['e1', 'e2', 'e3']);
      expect(await queue.backlog()).toEqual({ queued: 3, oldestTs: 11, dropped: 2 });
    });

    it('touches no webhook partition for an append without an event', async () => {
      const { stores, queue } = create(HISTORY, limits);
      stored(await stores[0].append(draft('r')));
      expect(await queue.backlog()).toEqual({ queued: 0, oldestTs: undefined, dropped: 0 });
    });
  });
}
