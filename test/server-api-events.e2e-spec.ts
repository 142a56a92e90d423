import type { RoomEvent, UserEvent } from '@switchboard/contract';
import { closeAllClients, connectAs, nextEvent, type TestClient } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { serverApi } from './support/http.js';
import { uniqueId } from './support/identities.js';
import { describeWithRedis } from './support/redis-server.js';
import { joined, newUser, ROOMS_TEST_ENV, tabsOn } from './support/rooms.js';
import { useServer } from './support/server.js';

const API_KEY = 'a-test-api-key-of-some-length';
const SYSTEM = { id: 'system', name: 'System' };

/** The first `event` a socket gets: what a later, accepted event shows was never delivered before it. */
const first = <T>(socket: TestClient, event: string) => nextEvent<T>(socket, event);

describe('POST /api/rooms/{room}/events and /api/users/{userId}/events', () => {
  const server = useServer({ ...ROOMS_TEST_ENV, API_KEY, RELAY_MAX_BYTES: '1024' });
  const api = serverApi(() => server.url, API_KEY);
  afterEach(() => closeAllClients());

  it('sends a custom event to every socket of the room as room:event from System', async () => {
    const room = uniqueId('room');
    const [alice, bob] = await Promise.all([
      connectAs(server.url, 'alice'),
      connectAs(server.url, 'bob'),
    ]);
    for (const socket of [alice, bob]) await joined(socket, room);
    const received = [alice, bob].map((socket) => first<RoomEvent>(socket, 'room:event'));

    const response = await api.post(`/api/rooms/${room}/events`, {
      event: 'game:over',
      data: { winner: 'alice' },
    });

    expect(response).toMatchObject({ status: 202, body: { recipients: 2 } });
    for (const event of await Promise.all(received)) {
      expect(event).toEqual({
        room,
        event: 'game:over',
        data: { winner: 'alice' },
        user: SYSTEM,
        ts: expect.any(Number),
      });
    }
  });

  it('sends a custom event to every socket of the user as user:event, and to nobody else', async () => {
    const alice = newUser('Alice');
    const tabs = await tabsOn([server.url, server.url], alice);
    const bystander = await connectAs(server.url, 'bob');
    const received = tabs.map((tab) => first<UserEvent>(tab, 'user:event'));
    const bystanderFirst = first<UserEvent>(bystander, 'user:event');

    const response = await api.post(`/api/users/${encodeURIComponent(alice.id)}/events`, {
      event: 'invoice:paid',
    });

    expect(response).toMatchObject({ status: 202, body: { recipients: 2 } });
    for (const event of await Promise.all(received)) {
      expect(event).toEqual({
        event: 'invoice:paid',
        data: null,
        from: SYSTEM,
        ts: expect.any(Number),
      });
    }
    await api.post(`/api/users/${encodeURIComponent(bystander.welcome.user.id)}/events`, {
      event: 'for:bob',
    });
    expect((await bystanderFirst).event).toBe('for:bob');
  });

  it('answers 202 with 0 recipients for a user who is not connected: nothing is kept', async () => {
    expect(
      await api.post(`/api/users/${uniqueId('nobody')}/events`, { event: 'hello' }),
    ).toMatchObject({ status: 202, body: { recipients: 0 } });
  });

  it('refuses a bad event name or room name with 400 and data over RELAY_MAX_BYTES with 413, delivering nothing', async () => {
    const room = uniqueId('room');
    const alice = await connectAs(server.url, 'alice');
    await joined(alice, room);
    const firstSeen = first<RoomEvent>(alice, 'room:event');

    expect(await api.post(`/api/rooms/${room}/events`, { event: 'has space' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    expect(await api.post('/api/rooms/user:alice/events', { event: 'ok' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    expect(
      await api.post(`/api/rooms/${room}/events`, { event: 'big', data: 'x'.repeat(2000) }),
    ).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });

    await api.post(`/api/rooms/${room}/events`, { event: 'accepted' });
    expect((await firstSeen).event).toBe('accepted');
  });

  it('sends an event once for a repeated idempotencyKey, answering the first answer again', async () => {
    const room = uniqueId('room');
    const alice = await connectAs(server.url, 'alice');
    await joined(alice, room);
    const firstSeen = first<RoomEvent>(alice, 'room:event');
    const body = { event: 'once', idempotencyKey: uniqueId('key') };

    const answers = [
      await api.post(`/api/rooms/${room}/events`, body),
      await api.post(`/api/rooms/${room}/events`, body),
    ];

    expect(answers[1]).toMatchObject({ status: answers[0].status, body: answers[0].body });
    expect((await firstSeen).event).toBe('once');
    const secondSeen = first<RoomEvent>(alice, 'room:event');
    await api.post(`/api/rooms/${room}/events`, { event: 'after' });
    expect((await secondSeen).event).toBe('after');
  });
});

describeWithRedis('custom events from the server API across nodes', () => {
  const cluster = useCluster('server-api-events', { size: 2, env: { API_KEY } });
  const api = serverApi(() => cluster.urls[0], API_KEY);
  afterEach(() => closeAllClients());

  it('reaches the sockets of a room and of a user on every node, counted', async () => {
    const room = uniqueId('room');
    const alice = newUser('Alice');
    const tabs = await tabsOn(cluster.urls, alice);
    for (const tab of tabs) await joined(tab, room);
    const roomEvents = tabs.map((tab) => first<RoomEvent>(tab, 'room:event'));
    expect(await api.post(`/api/rooms/${room}/events`, { event: 'to:room' })).toMatchObject({
      status: 202,
      body: { recipients: 2 },
    });
    for (const event of await Promise.all(roomEvents)) expect(event.event).toBe('to:room');

    const userEvents = tabs.map((tab) => first<UserEvent>(tab, 'user:event'));
    expect(
      await api.post(`/api/users/${encodeURIComponent(alice.id)}/events`, { event: 'to:user' }),
    ).toMatchObject({ status: 202, body: { recipients: 2 } });
    for (const event of await Promise.all(userEvents)) expect(event.event).toBe('to:user');
  });
});
