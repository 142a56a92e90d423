import type { User } from '@switchboard/contract';
import { closeAllClients, nextEvent, ok, type TestClient } from './support/clients.js';
import { serverApi } from './support/http.js';
import { connectWithToken, uniqueId } from './support/identities.js';
import { connectWithInbox, closeInboxClients } from './support/inbox.js';
import { joined, newUser, ROOMS_TEST_ENV } from './support/rooms.js';
import { startServer, type RunningServer } from './support/server.js';
import { eventsOfRoom, eventsOfUser, typesAndData, untilEvent } from './support/webhook-events.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { signToken } from './support/tokens.js';
import { WEBHOOK_API_KEY, webhookEnv } from './support/webhooks.js';

const DELAY_MS = 300;

describe('webhook events from presence, custom events and notifications', () => {
  let receiver: WebhookReceiver;
  let server: RunningServer;
  const api = serverApi(() => server.url, WEBHOOK_API_KEY);
  const signIn = (user: User) => connectWithToken(server.url, { sub: user.id, name: user.name });
  const offlineOf = (user: User) =>
    untilEvent(
      receiver,
      `user.offline of ${user.id}`,
      (event) => event.type === 'user.offline' && event.data.user.id === user.id,
    );

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    server = await startServer({
      ...ROOMS_TEST_ENV,
      ...webhookEnv(receiver, {
        WEBHOOK_PRESENCE_DELAY_MS: String(DELAY_MS),
        WEBHOOK_UNACKNOWLEDGED_MS: String(DELAY_MS),
        WEBHOOK_ROOM_EVENTS: 'game:*,cursor',
        // One partition: every event in the order it was recorded, so that a later one proves
        // that an earlier one would have come.
        WEBHOOK_CONCURRENCY: '1',
      }),
    });
  });
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });
  afterAll(async () => {
    await server?.close();
    await receiver.close();
  });

  it('tells presence as the members saw it, and the departures once the delay passed', async () => {
    const room = uniqueId('presence');
    const [ann, bob] = [newUser('Ann'), newUser('Bob')];
    const [annSocket, bobSocket] = [await signIn(ann), await signIn(bob)];
    await joined(annSocket, room);
    await joined(bobSocket, room);
    await ok(bobSocket, 'room:leave', { room });
    const disconnectedAt = Date.now();
    annSocket.disconnect();
    await offlineOf(ann);
    bobSocket.disconnect();
    await offlineOf(bob);

    expect(typesAndData(eventsOfRoom(receiver, room))).toEqual([
      ['room.occupied', { room }],
      ['member.joined', { room, user: ann }],
      ['member.joined', { room, user: bob }],
      ['member.left', { room, user: bob, reason: 'leave' }],
      ['member.left', { room, user: ann, reason: 'disconnect' }],
      ['room.vacated', { room }],
    ]);
    const annEvents = eventsOfUser(receiver, ann.id);
    expect(typesAndData(annEvents)).toEqual([
      ['user.online', { user: ann }],
      ['user.offline', { user: ann, lastSeen: expect.any(Number) }],
    ]);
    const [online, offline] = annEvents;
    if (offline.type !== 'user.offline') throw new Error('not user.offline');
    expect(offline.data.lastSeen).toBeGreaterThanOrEqual(disconnectedAt - 50);
    expect(offline.ts - offline.data.lastSeen).toBeGreaterThanOrEqual(DELAY_MS);
    expect(online.ts).toBeLessThanOrEqual(disconnectedAt);
  });

  it('tells a user with two tabs online once, and nothing of a reconnection within the delay', async () => {
    const room = uniqueId('reconnect');
    const [ann, bob, carol] = [newUser('Ann'), newUser('Bob'), newUser('Carol')];
    const [bobSocket, annTab, annOtherTab] = [
      await signIn(bob),
      await signIn(ann),
      await signIn(ann),
    ];
    await joined(bobSocket, room);
    await joined(annTab, room);
    await joined(annOtherTab, room);
    annOtherTab.disconnect();
    // Once Bob sees Ann gone, her departure from the room is scheduled.
    const annLeft = nextEvent(bobSocket, 'room:left');
    annTab.disconnect();
    await annLeft;
    const annAgain = await signIn(ann);
    await joined(annAgain, room);
    // Carol goes after Ann came back: her user.offline comes after what Ann's departure would have.
    (await signIn(carol)).disconnect();
    await offlineOf(carol);

    expect(typesAndData(eventsOfRoom(receiver, room))).toEqual([
      ['room.occupied', { room }],
      ['member.joined', { room, user: bob }],
      ['member.joined', { room, user: ann }],
    ]);
    expect(typesAndData(eventsOfUser(receiver, ann.id))).toEqual([['user.online', { user: ann }]]);
  });

  it('tells the custom events whose name matches WEBHOOK_ROOM_EVENTS, binary as base64', async () => {
    const room = uniqueId('game');
    const ann = newUser('Ann');
    const annSocket: TestClient = await signIn(ann);
    await joined(annSocket, room);
    await ok(annSocket, 'room:emit', {
      room,
      event: 'game:move',
      data: { to: [1, 2], frame: Buffer.from([0xfb, 0xff]) },
    });
    await ok(annSocket, 'room:emit', { room, event: 'typing', data: null });
    const posted = await api.post(`/api/rooms/${room}/events`, { event: 'cursor', data: 'x' });
    expect(posted.status).toBe(202);
    await untilEvent(
      receiver,
      'the posted room.event',
      (event) => event.type === 'room.event' && event.data.event === 'cursor',
    );

    const custom = eventsOfRoom(receiver, room).filter((event) => event.type === 'room.event');
    expect(typesAndData(custom)).toEqual([
      [
        'room.event',
        {
          room,
          event: 'game:move',
          data: { to: [1, 2], frame: { $binary: '+/8=' } },
          user: ann,
          ts: expect.any(Number),
        },
      ],
      [
        'room.event',
        {
          room,
          event: 'cursor',
          data: 'x',
          user: { id: 'system', name: 'System' },
          ts: expect.any(Number),
        },
      ],
    ]);
  });

  it('tells a user notification that no socket acknowledged in time, once, and not one acknowledged', async () => {
    const [ann, bob] = [newUser('Ann'), newUser('Bob')];
    await connectWithInbox(server.url, { token: await signToken({ sub: ann.id, name: ann.name }) });
    const notify = async (userId: string, title: string) => {
      const reply = await api.post<{ id: string }>('/api/notifications', {
        target: { userId },
        title,
        body: 'b',
      });
      expect(reply.status).toBe(202);
      return reply.body.id;
    };
    await notify(ann.id, 'read at once');
    const unread = await notify(bob.id, 'for an offline user');
    await untilEvent(
      receiver,
      'notification.unacknowledged',
      (event) => event.type === 'notification.unacknowledged' && event.data.userId === bob.id,
    );

    expect(eventsOfUser(receiver, ann.id).map((event) => event.type)).toEqual(['user.online']);
    expect(typesAndData(eventsOfUser(receiver, bob.id))).toEqual([
      [
        'notification.unacknowledged',
        {
          userId: bob.id,
          notification: expect.objectContaining({ id: unread, title: 'for an offline user' }),
        },
      ],
    ]);
  });
});
