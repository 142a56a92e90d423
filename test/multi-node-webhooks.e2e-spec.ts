import type { Message } from '@switchboard/contract';
import { closeAllClients, collect, request } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { post, bearer } from './support/http.js';
import { uniqueId } from './support/identities.js';
import { eventually } from './support/redis-sentinels.js';
import { describeWithRedis } from './support/redis-server.js';
import { guestsIn, sent } from './support/rooms.js';
import { sampleOf, scrape } from './support/metrics.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { messagesOf, WEBHOOK_API_KEY, webhookEnv } from './support/webhooks.js';

const CREATED_EVENTS = 'switchboard_webhook_events_total{type="message.created"}';

async function postMessage(url: string, room: string, text: string): Promise<Message> {
  const reply = await post<Message>(
    url,
    `/api/rooms/${room}/messages`,
    { text },
    bearer(WEBHOOK_API_KEY),
  );
  if (reply.status !== 201)
    throw new Error(`POST failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** The accepted events' ids, each once, and how many times the receiver accepted each. */
function acceptedTimes(receiver: WebhookReceiver): Map<string, number> {
  const times = new Map<string, number>();
  for (const event of receiver.accepted) times.set(event.id, (times.get(event.id) ?? 0) + 1);
  return times;
}

describeWithRedis('webhooks over three nodes', () => {
  let receiver: WebhookReceiver;
  // Filled before the cluster starts, which reads it then.
  const env: Record<string, string> = {};
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    Object.assign(
      env,
      webhookEnv(receiver, { WEBHOOK_TIMEOUT_MS: '500', WEBHOOK_EVENTS: 'message.created' }),
    );
  });
  const cluster = useCluster('multi-node-webhooks', { env });
  afterEach(() => closeAllClients());
  afterAll(() => receiver.close());

  it('delivers each message.created once, each room in order, and members are answered while the backend hangs', async () => {
    receiver.answering = (n) => (n === 0 ? 'hang' : 200);
    const rooms = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    const [ann] = await guestsIn(cluster.urls[0], rooms[0], 'Ann');
    const posted: Message[] = [];
    for (let round = 0; round < 4; round += 1) {
      for (const [i, url] of cluster.urls.entries()) {
        posted.push(await postMessage(url, rooms[i], `r${round}`));
        posted.push(await postMessage(url, rooms[(i + 1) % 3], `r${round}'`));
      }
    }
    // Whatever the backend does, the members' sends are answered.
    const reply = await request<Message>(ann, 'chat:send', { room: rooms[0], text: 'still here' });
    expect(reply.ok).toBe(true);
    if (reply.ok) posted.push(reply.data);

    await receiver.until(
      () => acceptedTimes(receiver).size === posted.length,
      `${posted.length} distinct events`,
    );
    const repeated = [...acceptedTimes(receiver)].filter(([, times]) => times > 1);
    expect(repeated).toEqual([]);
    const accepted = messagesOf(receiver.accepted);
    expect(accepted).toHaveLength(posted.length);
    for (const room of rooms) {
      const inRoom = accepted.filter((message) => message.room === room);
      expect(inRoom.map((message) => message.offset)).toEqual(
        posted.filter((message) => message.room === room).map((message) => message.offset),
      );
    }
  });

  it('delivers the message.created of one room in offset order, whichever node stored each, with sends from every node in flight at once', async () => {
    receiver.answering = () => 200;
    const room = uniqueId('contended');
    const senders = (
      await Promise.all(
        cluster.urls.map((url, node) => guestsIn(url, room, `N${node}a`, `N${node}b`, `N${node}c`)),
      )
    ).flat();
    const [watcher] = await guestsIn(cluster.urls[0], room, 'Watcher');
    const seenByMember = collect<Message>(watcher, 'chat:message');
    const recorded = async () => {
      const scrapes = await Promise.all(cluster.urls.map((url) => scrape(url)));
      return scrapes.reduce((sum, metrics) => sum + sampleOf(metrics, CREATED_EVENTS), 0);
    };
    const recordedBefore = await recorded();
    // Each sender keeps two sends in flight, the next one leaving as a reply comes back: every
    // node stores messages of the room all the time, and replies keep arriving on every node.
    const lanesPerSender = 2;
    const perLane = 20;
    const lanes = senders.flatMap((socket, s) =>
      Array.from({ length: lanesPerSender }, async (_, lane) => {
        const stored: Message[] = [];
        for (let i = 0; i < perLane; i += 1) {
          stored.push(await sent(socket, room, `s${s}-${lane}-${i}`));
        }
        return stored;
      }),
    );
    const replies = (await Promise.all(lanes)).flat();
    const count = senders.length * lanesPerSender * perLane;
    expect(new Set(replies.map((message) => message.offset)).size).toBe(count);

    const ofRoom = () => messagesOf(receiver.accepted).filter((m) => m.room === room);
    await receiver.until(() => ofRoom().length >= count, `${count} events of the room`);
    const offsets = Array.from({ length: count }, (_, i) => i + 1);
    expect(ofRoom().map((message) => message.offset)).toEqual(offsets);
    expect(new Set(ofRoom().map((message) => message.id)).size).toBe(count);
    // The members saw them in that order too (the watcher's own node delivers every one).
    await eventually('the watcher to get every message', () =>
      Promise.resolve(seenByMember.length >= count ? true : undefined),
    );
    expect(seenByMember.map((message) => message.offset)).toEqual(offsets);
    expect(ofRoom()).toEqual(seenByMember);
    expect((await recorded()) - recordedBefore).toBe(count);
  });

  it('goes on delivering once Redis is back after an outage', async () => {
    receiver.answering = () => 200;
    await cluster.stopRedis();
    await cluster.startRedis();
    const room = uniqueId('after-outage');
    const posted = [
      await postMessage(cluster.urls[1], room, 'back'),
      await postMessage(cluster.urls[2], room, 'again'),
    ];
    await receiver.until(
      () => messagesOf(receiver.accepted).filter((m) => m.room === room).length === 2,
      'the messages after the outage',
    );
    expect(messagesOf(receiver.accepted).filter((m) => m.room === room)).toEqual(posted);
  });
});

describeWithRedis('webhooks when a node dies with undelivered events', () => {
  let receiver: WebhookReceiver;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    receiver = await WebhookReceiver.start(() => 500);
    Object.assign(env, webhookEnv(receiver, { WEBHOOK_CONCURRENCY: '2' }));
  });
  // Only nodes in processes of their own: the first to start owns every partition.
  const cluster = useCluster('multi-node-webhooks-death', { size: 0, env });
  afterAll(() => receiver.close());

  it('has another node deliver them all once the backend recovers, the same events under new delivery ids', async () => {
    const doomed = await cluster.startProcessNode();
    const rooms = [uniqueId('x'), uniqueId('y'), uniqueId('z')];
    const posted: Message[] = [];
    for (let i = 0; i < 9; i += 1)
      posted.push(await postMessage(doomed.url, rooms[i % 3], `m${i}`));
    await receiver.until((r) => r.deliveries.length >= 2, 'failing tries');
    const survivor = await cluster.startProcessNode();

    await doomed.kill('SIGKILL');
    const deliveriesOfTheDead = new Set(
      receiver.deliveries.map((delivery) => delivery.headers['switchboard-delivery']),
    );
    receiver.answering = () => 200;

    await receiver.until(
      () => acceptedTimes(receiver).size === posted.length,
      'every message of the dead node',
    );
    const accepted = messagesOf(receiver.accepted);
    for (const room of rooms) {
      expect(accepted.filter((m) => m.room === room).map((m) => m.offset)).toEqual(
        posted.filter((m) => m.room === room).map((m) => m.offset),
      );
    }
    const survivorsDeliveries = receiver.deliveries.filter((d) => d.answer === 200);
    for (const delivery of survivorsDeliveries) {
      expect(deliveriesOfTheDead.has(delivery.headers['switchboard-delivery'])).toBe(false);
    }
    expect(await emptiedQueue(survivor.url)).toMatchObject({
      dropped: 0,
      lastSuccessAt: expect.any(Number),
    });
  }, 40_000);
});

describeWithRedis('webhooks when a node shuts down', () => {
  let receiver: WebhookReceiver;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    receiver = await WebhookReceiver.start(() => 'hang');
    Object.assign(env, webhookEnv(receiver, { WEBHOOK_TIMEOUT_MS: '60000' }));
  });
  const cluster = useCluster('multi-node-webhooks-shutdown', { size: 0, env });
  afterAll(() => receiver.close());

  it('stops its delivery in flight, and leaves its events and partitions to the other nodes at once', async () => {
    const leaving = await cluster.startProcessNode();
    const room = uniqueId('handover');
    const posted: Message[] = [];
    for (let i = 0; i < 3; i += 1) posted.push(await postMessage(leaving.url, room, `m${i}`));
    await receiver.until((r) => r.deliveries.length >= 1, 'a try that hangs');
    const heir = await cluster.startProcessNode();

    await leaving.stop();
    expect(leaving.output()).not.toMatch(/took too long|lost/);
    receiver.answering = () => 200;
    await receiver.until(
      () => acceptedTimes(receiver).size === posted.length,
      "the leaving node's events",
    );
    expect(messagesOf(receiver.accepted).map((m) => m.offset)).toEqual(posted.map((m) => m.offset));
    expect(await emptiedQueue(heir.url)).toMatchObject({ dropped: 0 });
  });
});

/**
 * The webhook status of the node at `url` once its queue is empty: the node removes what was
 * delivered when the 2xx reaches it, after the receiver counted it (on a Redis Cluster, a step per
 * room), so the status is asked again until then, within a bound.
 */
function emptiedQueue(url: string): Promise<{ queued: number }> {
  return eventually('the webhook queue emptied', async () => {
    const reply = await fetch(new URL('/api/webhooks', url), {
      headers: { authorization: bearer(WEBHOOK_API_KEY) },
    });
    const status = (await reply.json()) as { queued: number };
    return status.queued === 0 ? status : undefined;
  });
}
