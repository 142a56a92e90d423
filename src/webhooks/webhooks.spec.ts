import { jest } from '@jest/globals';
import { createServices } from '../../test/support/services.js';
import type { User, WebhookEvent } from '@switchboard/contract';
import { ChatService } from '../rooms/chat.service.js';
import { RoomsService } from '../rooms/rooms.service.js';
import type { MemoryWebhookQueue } from '../storage/memory/memory-webhook-queue.js';
import type { HistoryStore } from '../storage/stores.js';
import { partitionOf } from './partition.js';
import { Webhooks } from './webhooks.js';
import { WebhookOutbox } from './webhook-outbox.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { sampleOf } from '../../test/support/metrics.js';

const alice: User = { id: 'alice', name: 'Alice' };
const ON = { WEBHOOK_URL: 'http://127.0.0.1:9/hooks', WEBHOOK_SECRET: 'a-secret-of-16-chars' };

/** Every event waiting in the queue, partition by partition. */
async function queued(queue: MemoryWebhookQueue, partitions: number): Promise<WebhookEvent[]> {
  const events: WebhookEvent[] = [];
  for (let partition = 0; partition < partitions; partition += 1) {
    for (const entry of await queue.head(partition, 1000)) {
      events.push(JSON.parse(entry.json) as WebhookEvent);
    }
  }
  return events;
}

/** Until the outbox has handed what was recorded to the queue (after the recording turn). */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('Webhooks', () => {
  it('wants nothing, and records nothing, while WEBHOOK_URL is unset', async () => {
    const services = await createServices();
    const webhooks = services.moduleRef.get(Webhooks);
    expect(webhooks.wants('message.created')).toBe(false);
    webhooks.record('room.occupied', { room: 'lobby' }, 'room:lobby');
    expect(services.webhookQueue).toBeNull();
  });

  it('wants only the types of WEBHOOK_EVENTS', async () => {
    const services = await createServices({ ...ON, WEBHOOK_EVENTS: 'user.online,room.vacated' });
    const webhooks = services.moduleRef.get(Webhooks);
    expect(webhooks.wants('user.online')).toBe(true);
    expect(webhooks.wants('message.created')).toBe(false);
    webhooks.record('room.occupied', { room: 'lobby' }, 'room:lobby');
    webhooks.record('room.vacated', { room: 'lobby' }, 'room:lobby');
    await nextTurn();
    const events = await queued(services.webhookQueue!, 4);
    expect(events.map((event) => event.type)).toEqual(['room.vacated']);
  });

  it('queues each event with a unique id and its time, in the partition of its key, in order', async () => {
    const services = await createServices({ ...ON, WEBHOOK_CONCURRENCY: '3' });
    const webhooks = services.moduleRef.get(Webhooks);
    const before = Date.now();
    for (const room of ['a', 'b', 'a', 'c', 'a']) {
      webhooks.record('room.occupied', { room }, `room:${room}`);
    }
    expect(await queued(services.webhookQueue!, 3)).toEqual([]);
    await nextTurn();
    const inA = await services.webhookQueue!.head(partitionOf('room:a', 3), 10);
    const eventsOfA = inA
      .map((entry) => JSON.parse(entry.json) as WebhookEvent)
      .filter((event) => event.type === 'room.occupied' && event.data.room === 'a');
    expect(eventsOfA).toHaveLength(3);
    const all = await queued(services.webhookQueue!, 3);
    expect(new Set(all.map((event) => event.id)).size).toBe(5);
    for (const event of all) expect(event.ts).toBeGreaterThanOrEqual(before);
  });

  it('records message.created for a message sent by a member and one posted by the server API', async () => {
    const services = await createServices({ ...ON, WEBHOOK_EVENTS: 'message.created' });
    const chat = services.moduleRef.get(ChatService);
    await services.moduleRef.get(RoomsService).join(alice, 'a1', 'lobby');
    const sent = await chat.send(alice, 'a1', { room: 'lobby', text: 'hello' }, alice.id);
    const posted = await chat.post({ id: 'system', name: 'System' }, { room: 'lobby', text: 'hi' });
    // A retry of a stored clientMsgId stores nothing, and tells nothing.
    await chat.send(alice, 'a1', { room: 'lobby', text: 'once', clientMsgId: 'c1' }, alice.id);
    await chat.send(alice, 'a1', { room: 'lobby', text: 'once', clientMsgId: 'c1' }, alice.id);
    await nextTurn();
    const events = await queued(services.webhookQueue!, 4);
    expect(events.map((event) => event.type)).toEqual([
      'message.created',
      'message.created',
      'message.created',
    ]);
    expect(events.slice(0, 2).map((event) => event.data)).toEqual([
      { message: sent },
      { message: posted },
    ]);
  });

  it("describes a message.created for a store to queue, in record's shape around the message", async () => {
    const services = await createServices({ ...ON, WEBHOOK_CONCURRENCY: '3' });
    const webhooks = services.moduleRef.get(Webhooks);
    const before = Date.now();
    const event = webhooks.messageEvent('message.created', 'room:lobby')!;
    const message = { id: 'm', room: 'lobby', offset: 7, user: alice, text: 'hi', ts: 1 };

    const json = `${event.before}${JSON.stringify(message)}${event.after}`;
    const parsed = JSON.parse(json) as WebhookEvent;
    expect(parsed).toEqual({
      id: expect.any(String),
      type: 'message.created',
      ts: event.ts,
      data: { message },
    });
    expect(json).toBe(
      JSON.stringify({ id: parsed.id, type: parsed.type, ts: parsed.ts, data: { message } }),
    );
    expect(event.ts).toBeGreaterThanOrEqual(before);
    expect(event.partition).toBe(partitionOf('room:lobby', 3));
    expect(webhooks.messageEvent('message.created', 'room:lobby')!.before).not.toBe(event.before);
  });

  it('describes no event of a type that WEBHOOK_EVENTS leaves out, nor with webhooks off', async () => {
    const off = (await createServices()).moduleRef.get(Webhooks);
    expect(off.messageEvent('message.created', 'room:lobby')).toBeUndefined();
    const services = await createServices({ ...ON, WEBHOOK_EVENTS: 'user.online' });
    const webhooks = services.moduleRef.get(Webhooks);
    expect(webhooks.messageEvent('message.created', 'room:lobby')).toBeUndefined();
  });

  it('leaves message.created to a store that queues it in its append step, and counts it once', async () => {
    const services = await createServices({ ...ON, WEBHOOK_EVENTS: 'message.created' });
    const chat = services.moduleRef.get(ChatService);
    // The memory store playing one that queues the events it is given, as Redis's does.
    Object.defineProperty(services.history, 'queuesWebhookEvents', { value: true });
    const append = jest.spyOn(services.history as HistoryStore, 'append');
    const woken: number[] = [];
    services.moduleRef.get(WebhookOutbox).onAppended((partition) => woken.push(partition));
    await services.moduleRef.get(RoomsService).join(alice, 'a1', 'lobby');

    await chat.send(alice, 'a1', { room: 'lobby', text: 'once', clientMsgId: 'c1' }, alice.id);
    await chat.send(alice, 'a1', { room: 'lobby', text: 'once', clientMsgId: 'c1' }, alice.id);
    await nextTurn();

    const given = append.mock.calls.map((call) => call[3]);
    expect(given).toEqual([
      expect.objectContaining({ partition: partitionOf('room:lobby', 4) }),
      expect.anything(),
    ]);
    expect(await queued(services.webhookQueue!, 4)).toEqual([]);
    expect(woken).toEqual([partitionOf('room:lobby', 4)]);
    const metrics = await services.moduleRef.get(MetricsService).render();
    expect(sampleOf(metrics, 'switchboard_webhook_events_total{type="message.created"}')).toBe(1);
  });

  it("appends the marker that a store answers with (a Redis Cluster's) after the turn, then wakes the sender", async () => {
    const services = await createServices({ ...ON, WEBHOOK_EVENTS: 'message.created' });
    const history = services.history as HistoryStore;
    Object.defineProperty(history, 'queuesWebhookEvents', { value: true });
    const marker = { ts: 1, room: 'lobby', upTo: '1-0', dropped: 0 };
    const append = history.append.bind(history);
    jest.spyOn(history, 'append').mockImplementation(async (...args) => {
      const result = await append(...args);
      return result.created ? { ...result, webhookMarker: marker } : result;
    });
    const appended = jest.spyOn(services.webhookQueue!, 'append').mockResolvedValue();
    const outbox = services.moduleRef.get(WebhookOutbox);
    const woken = new Promise((resolve) => outbox.onAppended(resolve));
    await services.moduleRef.get(RoomsService).join(alice, 'a1', 'lobby');

    await services.moduleRef
      .get(ChatService)
      .send(alice, 'a1', { room: 'lobby', text: 'hi' }, alice.id);
    expect(appended).not.toHaveBeenCalled();

    const partition = partitionOf('room:lobby', 4);
    expect(await woken).toBe(partition);
    expect(appended.mock.calls).toEqual([[partition, [marker]]]);
  });

  it('never throws for data that JSON cannot hold', async () => {
    const services = await createServices(ON);
    const webhooks = services.moduleRef.get(Webhooks);
    const data = { room: 'lobby', event: 'x', data: 1n, user: alice, ts: 0 };
    expect(() => webhooks.record('room.event', data, 'room:lobby')).not.toThrow();
  });
});

describe('partitionOf', () => {
  it('puts one key always in one partition, and spreads keys over every partition', () => {
    expect(partitionOf('room:lobby', 4)).toBe(partitionOf('room:lobby', 4));
    const used = new Set(Array.from({ length: 100 }, (_, i) => partitionOf(`user:${i}`, 4)));
    expect([...used].sort()).toEqual([0, 1, 2, 3]);
  });
});
