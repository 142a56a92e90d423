import type { Message } from '@switchboard/contract';
import { closeAllClients, request } from './support/clients.js';
import { get, serverApi } from './support/http.js';
import { uniqueId } from './support/identities.js';
import { sampleOf, scrape } from './support/metrics.js';
import { guestsIn, ROOMS_TEST_ENV, sent } from './support/rooms.js';
import { startServer, type RunningServer } from './support/server.js';
import { signatureIsValid, WebhookReceiver } from './support/webhook-receiver.js';
import {
  messagesOf,
  roomsInDistinctPartitions,
  WEBHOOK_API_KEY,
  WEBHOOK_SECRET,
  webhookEnv,
} from './support/webhooks.js';

interface WebhookStatus {
  url: string;
  queued: number;
  oldestAgeMs: number;
  lastSuccessAt: number | null;
  lastFailure?: { at: number; status?: number; message: string };
  dropped: number;
}

describe('webhooks', () => {
  let receiver: WebhookReceiver;
  let server: RunningServer;
  const api = serverApi(() => server.url, WEBHOOK_API_KEY);
  const start = async (env: Record<string, string> = {}) => {
    server = await startServer({ ...ROOMS_TEST_ENV, ...webhookEnv(receiver, env) });
  };
  const status = async () => (await api.get<WebhookStatus>('/api/webhooks')).body;
  const postMessages = async (room: string, count: number) => {
    const messages: Message[] = [];
    for (let i = 1; i <= count; i += 1) {
      messages.push(
        (await api.post<Message>(`/api/rooms/${room}/messages`, { text: `m${i}` })).body,
      );
    }
    return messages;
  };

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    closeAllClients();
    await server?.close();
    await receiver.close();
  });

  it('tells message.created for chat:send and the server API, in one signed POST per batch', async () => {
    await start({ WEBHOOK_BATCH_MS: '200', WEBHOOK_EVENTS: 'message.created' });
    const room = uniqueId('lobby');
    const [ann] = await guestsIn(server.url, room, 'Ann');
    const fromSocket = await sent(ann, room, 'hello');
    const fromApi = (await api.post<Message>(`/api/rooms/${room}/messages`, { text: 'hi' })).body;

    await receiver.untilAccepted(2);

    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['switchboard-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      signatureIsValid(WEBHOOK_SECRET, delivery.headers['switchboard-signature'], delivery.rawBody),
    ).toBe(true);
    expect(
      signatureIsValid(
        'another-secret-16ch',
        delivery.headers['switchboard-signature'],
        delivery.rawBody,
      ),
    ).toBe(false);
    expect(JSON.parse(delivery.rawBody)).toEqual({
      events: [
        {
          id: expect.any(String),
          type: 'message.created',
          ts: expect.any(Number),
          data: { message: fromSocket },
        },
        {
          id: expect.any(String),
          type: 'message.created',
          ts: expect.any(Number),
          data: { message: fromApi },
        },
      ],
    });
    const [first, second] = delivery.events;
    expect(first.id).not.toBe(second.id);
    expect(first.ts).toBeGreaterThanOrEqual(fromSocket.ts);

    const after = await status();
    expect(after).toEqual({
      url: receiver.url,
      queued: 0,
      oldestAgeMs: 0,
      lastSuccessAt: expect.any(Number),
      dropped: 0,
    });
    const metrics = await scrape(server.url);
    expect(sampleOf(metrics, 'switchboard_webhook_events_total{type="message.created"}')).toBe(2);
    expect(sampleOf(metrics, 'switchboard_webhook_deliveries_total{outcome="ok"}')).toBe(1);
    expect(sampleOf(metrics, 'switchboard_webhook_queued_events')).toBe(0);
  });

  it('sends only the types of WEBHOOK_EVENTS', async () => {
    await start({ WEBHOOK_EVENTS: 'user.online,room.vacated' });
    await postMessages(uniqueId('quiet'), 2);

    const metrics = await scrape(server.url);
    expect(sampleOf(metrics, 'switchboard_webhook_events_total{type="message.created"}')).toBe(0);
    expect(await status()).toMatchObject({ queued: 0, lastSuccessAt: null });
  });

  it('retries a failed delivery, the same one, at growing gaps, holding back only its partition', async () => {
    await start({ WEBHOOK_CONCURRENCY: '2' });
    const [failing, other] = roomsInDistinctPartitions(2, 2);
    let failingId: string | undefined;
    receiver.answering = (_, delivery) => {
      const isFailing = delivery.events.some((event) => messagesOf([event])[0]?.room === failing);
      if (!isFailing) return 200;
      failingId ??= delivery.headers['switchboard-delivery'] as string;
      const triesSoFar = receiver.deliveries.filter(
        (earlier) => earlier.headers['switchboard-delivery'] === failingId,
      ).length;
      return triesSoFar < 3 ? 500 : 200;
    };
    const failingMessages = await postMessages(failing, 3);

    await receiver.until((r) => r.deliveries.length >= 1, 'a first try');
    const otherMessages = await postMessages(other, 2);
    await receiver.until(
      () => messagesOf(receiver.accepted).filter((m) => m.room === other).length === 2,
      'the other partition',
    );
    const midway = await status();
    expect(midway.lastFailure).toEqual({
      at: expect.any(Number),
      status: 500,
      message: 'answered 500',
    });
    expect(midway.queued).toBeGreaterThanOrEqual(1);

    await receiver.until(
      () => messagesOf(receiver.accepted).filter((m) => m.room === failing).length === 3,
      'the failing room, at last',
    );
    const tries = receiver.deliveries.filter(
      (d) => d.headers['switchboard-delivery'] === failingId,
    );
    expect(tries.map((t) => t.answer)).toEqual([500, 500, 500, 200]);
    // The same body each time, signed anew each time.
    expect(new Set(tries.map((t) => t.rawBody)).size).toBe(1);
    for (const t of tries) {
      expect(signatureIsValid(WEBHOOK_SECRET, t.headers['switchboard-signature'], t.rawBody)).toBe(
        true,
      );
    }
    const gaps = tries.slice(1).map((t, i) => t.at - tries[i].at);
    // 1 s, 2 s, 4 s after the failed try, less a jitter of at most 10 %.
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]).toBeGreaterThanOrEqual(1800);
    expect(gaps[2]).toBeGreaterThanOrEqual(3600);
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]);
    // Nothing lost, nothing doubled, each room in its order.
    await receiver.untilAccepted(5);
    const accepted = messagesOf(receiver.accepted);
    expect(accepted.filter((m) => m.room === failing)).toEqual(failingMessages);
    expect(accepted.filter((m) => m.room === other)).toEqual(otherMessages);
    expect(accepted).toHaveLength(5);
    const metrics = await scrape(server.url);
    expect(sampleOf(metrics, 'switchboard_webhook_deliveries_total{outcome="failed"}')).toBe(3);
    expect((await status()).queued).toBe(0);
  }, 30_000);

  it('retries a delivery that gets no answer in WEBHOOK_TIMEOUT_MS, while chat:send is answered as ever', async () => {
    receiver.answering = (n) => (n === 0 ? 'hang' : 200);
    await start({ WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_EVENTS: 'message.created' });
    const room = uniqueId('hung');
    const [ann] = await guestsIn(server.url, room, 'Ann');
    const first = await sent(ann, room, 'one');
    await receiver.until((r) => r.deliveries.length === 1, 'a first try');
    // The backend hangs: the members' messages are stored and answered all the same.
    const replies = await Promise.all(
      ['two', 'three'].map((text) => request<Message>(ann, 'chat:send', { room, text })),
    );
    expect(replies.map((reply) => reply.ok)).toEqual([true, true]);

    await receiver.untilAccepted(3);
    const [hung, retried] = receiver.deliveries;
    expect(retried.headers['switchboard-delivery']).toBe(hung.headers['switchboard-delivery']);
    expect(retried.events).toEqual(hung.events);
    expect(retried.at - hung.at).toBeGreaterThanOrEqual(300 + 900);
    expect(messagesOf(receiver.accepted).map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(messagesOf(hung.events)).toEqual([first]);
    const failure = (await status()).lastFailure;
    expect(failure?.message).toMatch(/WEBHOOK_TIMEOUT_MS/);
    expect(failure?.status).toBeUndefined();
  });

  it('keeps at most WEBHOOK_QUEUE_MAX events: the oldest are dropped and counted', async () => {
    receiver.answering = () => 503;
    await start({ WEBHOOK_QUEUE_MAX: '3', WEBHOOK_CONCURRENCY: '1' });
    const room = uniqueId('flood');
    const messages = await postMessages(room, 7);
    // The first try (answered 503) may still be on its way when the last message is stored.
    await receiver.until((r) => r.deliveries.length >= 1, 'a first try');
    let full = await status();
    for (const deadline = Date.now() + 5000; !full.lastFailure && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      full = await status();
    }
    expect(full).toMatchObject({ queued: 3, dropped: 4, lastSuccessAt: null });
    expect(full.oldestAgeMs).toBeGreaterThan(0);
    expect(full.lastFailure).toMatchObject({ status: 503 });
    const metrics = await scrape(server.url);
    expect(sampleOf(metrics, 'switchboard_webhook_queued_events')).toBe(3);
    expect(sampleOf(metrics, 'switchboard_webhook_oldest_event_age_seconds')).toBeGreaterThan(0);

    receiver.answering = () => 200;
    await receiver.until(
      () => messagesOf(receiver.accepted).some((m) => m.id === messages[6].id),
      'the newest message',
    );
    // The last three waited; what went before them was dropped (or was already on its way).
    const accepted = messagesOf(receiver.accepted).map((m) => m.text);
    expect(accepted.slice(-3)).toEqual(['m5', 'm6', 'm7']);
    expect(accepted.length).toBeLessThan(7);
  }, 20_000);

  it('drops a delivery that failed for WEBHOOK_RETRY_SECONDS, logs and counts it', async () => {
    receiver.answering = () => 500;
    await start({ WEBHOOK_RETRY_SECONDS: '0' });
    await postMessages(uniqueId('doomed'), 1);
    await receiver.until((r) => r.deliveries.length === 1, 'one try');
    let after = await status();
    for (let i = 0; i < 50 && after.queued > 0; i += 1) after = await status();
    expect(after).toMatchObject({ queued: 0, dropped: 1 });
    const metrics = await scrape(server.url);
    expect(sampleOf(metrics, 'switchboard_webhook_deliveries_total{outcome="dropped"}')).toBe(1);
  });

  it('answers the status route only with the API key, and hides the credentials of WEBHOOK_URL', async () => {
    const withCredentials = receiver.url.replace('http://', 'http://ops:s3cret@');
    server = await startServer({ ...webhookEnv(receiver), WEBHOOK_URL: withCredentials });
    expect((await get(server.url, '/api/webhooks')).status).toBe(401);
    expect((await status()).url).toBe(receiver.url);
    await postMessages(uniqueId('auth'), 1);
    await receiver.untilAccepted(1);
    expect(receiver.deliveries[0].headers.authorization).toBe(
      `Basic ${Buffer.from('ops:s3cret').toString('base64')}`,
    );
  });
});

describe('webhooks off', () => {
  let server: RunningServer;
  afterEach(() => server.close());

  it('answers the status route NOT_FOUND, and the metrics say nothing waits', async () => {
    server = await startServer({ API_KEY: WEBHOOK_API_KEY });
    const reply = await serverApi(() => server.url, WEBHOOK_API_KEY).get('/api/webhooks');
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/WEBHOOK_URL/),
    });
    expect(sampleOf(await scrape(server.url), 'switchboard_webhook_queued_events')).toBe(0);
  });
});
