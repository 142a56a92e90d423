import type { User, WebhookEvent } from '@switchboard/contract';
import { closeAllClients } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { connectWithToken, uniqueId } from './support/identities.js';
import { describeWithRedis } from './support/redis-server.js';
import { joined, newUser } from './support/rooms.js';
import { eventsOfRoom, eventsOfUser, typesAndData, untilEvent } from './support/webhook-events.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { webhookEnv } from './support/webhooks.js';

const DELAY_MS = 300;

describeWithRedis('webhook presence events over three nodes', () => {
  let receiver: WebhookReceiver;
  // Filled before the cluster starts, which reads it then.
  const env: Record<string, string> = {};
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    Object.assign(
      env,
      webhookEnv(receiver, {
        WEBHOOK_PRESENCE_DELAY_MS: String(DELAY_MS),
        // One partition: a later event proves that an earlier one would have come before it.
        WEBHOOK_CONCURRENCY: '1',
      }),
    );
  });
  const cluster = useCluster('multi-node-webhook-events', { env });
  afterEach(() => closeAllClients());
  afterAll(() => receiver.close());

  const signIn = (url: string, user: User) =>
    connectWithToken(url, { sub: user.id, name: user.name });
  const offlineOf = (user: User) =>
    untilEvent(
      receiver,
      `user.offline of ${user.id}`,
      (event) => event.type === 'user.offline' && event.data.user.id === user.id,
    );
  /** A user who comes and goes on node A: once their user.offline is in, what was due before is too. */
  async function passerBy(): Promise<void> {
    const passer = newUser('Passer');
    (await signIn(cluster.urls[0], passer)).disconnect();
    await offlineOf(passer);
  }
  const noRepeatedIds = (events: WebhookEvent[]) =>
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);

  it('tells a user with tabs on two nodes online once, and offline once when the last tab goes', async () => {
    const room = uniqueId('tabs');
    const ann = newUser('Ann');
    const [tabOnA, tabOnB] = [
      await signIn(cluster.urls[0], ann),
      await signIn(cluster.urls[1], ann),
    ];
    await joined(tabOnA, room);
    await joined(tabOnB, room);
    tabOnA.disconnect();
    await passerBy();
    expect(typesAndData(eventsOfUser(receiver, ann.id))).toEqual([['user.online', { user: ann }]]);

    tabOnB.disconnect();
    await offlineOf(ann);
    await passerBy();

    expect(typesAndData(eventsOfUser(receiver, ann.id))).toEqual([
      ['user.online', { user: ann }],
      ['user.offline', { user: ann, lastSeen: expect.any(Number) }],
    ]);
    expect(typesAndData(eventsOfRoom(receiver, room))).toEqual([
      ['room.occupied', { room }],
      ['member.joined', { room, user: ann }],
      ['member.left', { room, user: ann, reason: 'disconnect' }],
      ['room.vacated', { room }],
    ]);
    noRepeatedIds(receiver.accepted);
  });

  it('reports the users of a SIGKILLed node offline, their rooms left and vacated, once', async () => {
    const [shared, alone] = [uniqueId('shared'), uniqueId('alone')];
    const [dave, erin] = [newUser('Dave'), newUser('Erin')];
    const doomed = await cluster.startProcessNode();
    const erinSocket = await signIn(cluster.urls[0], erin);
    await joined(erinSocket, shared);
    const daveSocket = await signIn(doomed.url, dave);
    await joined(daveSocket, shared);
    await joined(daveSocket, alone);
    await untilEvent(
      receiver,
      "Dave's member.joined",
      (event) => event.type === 'member.joined' && event.data.room === alone,
    );

    await doomed.kill('SIGKILL');
    await offlineOf(dave);
    await untilEvent(
      receiver,
      `room.vacated of ${alone}`,
      (event) => event.type === 'room.vacated' && event.data.room === alone,
    );
    await passerBy();

    expect(typesAndData(eventsOfUser(receiver, dave.id))).toEqual([
      ['user.online', { user: dave }],
      ['user.offline', { user: dave, lastSeen: expect.any(Number) }],
    ]);
    expect(typesAndData(eventsOfRoom(receiver, shared))).toEqual([
      ['room.occupied', { room: shared }],
      ['member.joined', { room: shared, user: erin }],
      ['member.joined', { room: shared, user: dave }],
      ['member.left', { room: shared, user: dave, reason: 'disconnect' }],
    ]);
    expect(typesAndData(eventsOfRoom(receiver, alone))).toEqual([
      ['room.occupied', { room: alone }],
      ['member.joined', { room: alone, user: dave }],
      ['member.left', { room: alone, user: dave, reason: 'disconnect' }],
      ['room.vacated', { room: alone }],
    ]);
    noRepeatedIds(receiver.accepted);
  }, 40_000);
});
