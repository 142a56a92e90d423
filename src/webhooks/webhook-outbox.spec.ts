import { pino } from 'pino';
import { loadConfig } from '../config/app-config.js';
import { MemoryWebhookQueue } from '../storage/memory/memory-webhook-queue.js';
import type { WebhookEntry } from '../storage/webhook-queue.js';
import { WebhookOutbox } from './webhook-outbox.js';

/** A queue that refuses appends while `away`, as the Redis queue does while Redis is away. */
class FlakyQueue extends MemoryWebhookQueue {
  away = false;
  override append(partition: number, entries: readonly WebhookEntry[]): Promise<void> {
    if (this.away) return Promise.reject(new Error('Connection is closed.'));
    return super.append(partition, entries);
  }
  override countDropped(count: number): Promise<void> {
    if (this.away) return Promise.reject(new Error('Connection is closed.'));
    return super.countDropped(count);
  }
}

const entry = (ts: number): WebhookEntry => ({ ts, json: `{"id":"${ts}"}` });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function outboxOver(queue: FlakyQueue, queueMax: number) {
  const config = loadConfig({
    WEBHOOK_URL: 'http://127.0.0.1:9/',
    WEBHOOK_SECRET: 'a-secret-of-16-chars',
    WEBHOOK_QUEUE_MAX: String(queueMax),
  });
  return new WebhookOutbox(config, queue, pino({ level: 'silent' }));
}

describe('WebhookOutbox', () => {
  it("hands a turn's events to the queue after the turn, and tells which partitions got some", async () => {
    const queue = new FlakyQueue({ partitions: 2, perPartition: 100 });
    const outbox = outboxOver(queue, 100);
    const appended: number[] = [];
    outbox.onAppended((partition) => appended.push(partition));
    outbox.add(1, entry(1));
    outbox.add(1, entry(2));
    expect(outbox.size).toBe(2);
    await nextTurn();
    await nextTurn();
    expect((await queue.head(1, 10)).map((e) => e.ts)).toEqual([1, 2]);
    expect(appended).toEqual([1]);
    expect(outbox.size).toBe(0);
  });

  it('keeps what the queue refuses, in order and within WEBHOOK_QUEUE_MAX, until it takes it', async () => {
    const queue = new FlakyQueue({ partitions: 1, perPartition: 100 });
    queue.away = true;
    const outbox = outboxOver(queue, 3);
    outbox.add(0, entry(1));
    await nextTurn();
    for (const ts of [2, 3, 4, 5]) outbox.add(0, entry(ts));
    await nextTurn();
    expect(outbox.size).toBe(3);

    queue.away = false;
    await outbox.drain(1000);
    expect((await queue.head(0, 10)).map((e) => e.ts)).toEqual([3, 4, 5]);
    expect(await queue.backlog()).toMatchObject({ queued: 3, dropped: 2 });
  });
});
