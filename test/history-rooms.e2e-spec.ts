import type { Socket } from 'socket.io-client';
import type { Message, Reply } from '@switchboard/contract';
import { closeAllClients, collect, connect, request, type TestClient } from './support/clients.js';
import { serverApi } from './support/http.js';
import { connectWithToken, uniqueId } from './support/identities.js';
import { increases, scrape } from './support/metrics.js';
import { caughtUp, history, joined, newUser, refusedNaming, sent } from './support/rooms.js';
import { useServer } from './support/server.js';
import { TEST_JWT_SECRET } from './support/tokens.js';

const API_KEY = 'a-test-api-key-of-some-length';

const REFUSED = {
  rooms: 'switchboard_new_rooms_refused_total{reason="history_max_rooms"}',
  perHour: 'switchboard_new_rooms_refused_total{reason="rooms_new_per_hour"}',
} as const;

/** Joins `room` and sends one message there; resolves with the reply, whatever it is. */
async function sendTo(socket: Socket, room: string, text = 'hello'): Promise<Reply<Message>> {
  await joined(socket, room);
  return request<Message>(socket, 'chat:send', { room, text });
}

/** A guest whose handshake says it comes from `address` (believed with TRUST_PROXY=1). */
function guestFrom(url: string, address: string): Promise<TestClient> {
  return connect(url, { name: 'guest' }, { extraHeaders: { 'x-forwarded-for': address } });
}

describe('rooms with a history, at HISTORY_MAX_ROOMS=3', () => {
  const server = useServer({ HISTORY_MAX_ROOMS: '3' });
  afterEach(() => closeAllClients());

  it("keeps a room's history when a guest writes to three new rooms: the one that would remove it is refused as RATE_LIMITED naming HISTORY_MAX_ROOMS", async () => {
    const writtenFirst = uniqueId('first');
    const [ann, guest, bob] = await Promise.all(
      ['ann', 'guest', 'bob'].map((name) => connect(server.url, { name })),
    );
    await joined(ann, writtenFirst);
    const kept = await sent(ann, writtenFirst, 'written seconds before');
    const third = uniqueId('third');
    await joined(bob, third);
    const toBob = collect<Message>(bob, 'chat:message');
    const metricsBefore = await scrape(server.url);

    expect(await sendTo(guest, uniqueId('one'))).toMatchObject({ ok: true });
    expect(await sendTo(guest, uniqueId('two'))).toMatchObject({ ok: true });
    expect(await sendTo(guest, third)).toEqual(refusedNaming('HISTORY_MAX_ROOMS'));

    expect(await history(ann, { room: writtenFirst })).toEqual({
      messages: [kept],
      hasMore: false,
    });
    expect((await sent(ann, writtenFirst, 'and then')).offset).toBe(2);
    expect(await history(bob, { room: third })).toEqual({ messages: [], hasMore: false });
    await caughtUp(bob);
    expect(toBob).toEqual([]);
    expect(increases(metricsBefore, await scrape(server.url), [REFUSED.rooms])).toEqual({
      [REFUSED.rooms]: 1,
    });
  });
});

describe('rooms with a history, at HISTORY_MAX_ROOMS=2, over the server API', () => {
  const server = useServer({ HISTORY_MAX_ROOMS: '2', API_KEY });
  const api = serverApi(() => server.url, API_KEY);

  it('answers 429 RATE_LIMITED naming HISTORY_MAX_ROOMS for a new room, and posts to the others', async () => {
    const [one, two] = [uniqueId('one'), uniqueId('two')];
    expect((await api.post(`/api/rooms/${one}/messages`, { text: 'hi' })).status).toBe(201);
    expect((await api.post(`/api/rooms/${two}/messages`, { text: 'hi' })).status).toBe(201);

    const refused = await api.post(`/api/rooms/${uniqueId('three')}/messages`, { text: 'hi' });

    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(refusedNaming('HISTORY_MAX_ROOMS').error);
    const again = await api.post<Message>(`/api/rooms/${one}/messages`, { text: 'again' });
    expect(again.body.offset).toBe(2);
  });
});

describe('rooms with a history, at HISTORY_MAX_ROOMS=2 and HISTORY_EVICT_IDLE_SECONDS=0', () => {
  const server = useServer({ HISTORY_MAX_ROOMS: '2', HISTORY_EVICT_IDLE_SECONDS: '0' });
  afterEach(() => closeAllClients());

  it('removes the history of the room written to least recently, idle for long enough, to make space', async () => {
    const guest = await connect(server.url, { name: 'guest' });
    const [one, two, three] = [uniqueId('one'), uniqueId('two'), uniqueId('three')];
    await sendTo(guest, one);
    await sendTo(guest, two);
    await sent(guest, one, 'one again');

    expect(await sendTo(guest, three)).toMatchObject({ ok: true, data: { offset: 1 } });

    expect(await history(guest, { room: two })).toEqual({ messages: [], hasMore: false });
    expect((await sent(guest, one, 'one once more')).offset).toBe(3);
    expect((await sent(guest, two, 'two from the start')).offset).toBe(1);
  });
});

describe('ROOMS_NEW_PER_HOUR=2', () => {
  const server = useServer({
    ROOMS_NEW_PER_HOUR: '2',
    TRUST_PROXY: '1',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    API_KEY,
  });
  const api = serverApi(() => server.url, API_KEY);
  afterEach(() => closeAllClients());

  it('counts guests per client address: one that comes back under a new id, or another guest of that address, shares the count', async () => {
    const address = '203.0.113.1';
    const [first, second, third] = [uniqueId('one'), uniqueId('two'), uniqueId('three')];
    const metricsBefore = await scrape(server.url);
    const guest = await guestFrom(server.url, address);
    expect(await sendTo(guest, first)).toMatchObject({ ok: true });
    guest.disconnect();
    const returning = await guestFrom(server.url, address);
    expect(await sendTo(returning, second)).toMatchObject({ ok: true });

    const neighbour = await guestFrom(server.url, address);
    expect(await sendTo(neighbour, third)).toEqual(refusedNaming('ROOMS_NEW_PER_HOUR'));
    expect(await history(neighbour, { room: third })).toEqual({ messages: [], hasMore: false });

    expect(increases(metricsBefore, await scrape(server.url), [REFUSED.perHour])).toEqual({
      [REFUSED.perHour]: 1,
    });
    const elsewhere = await guestFrom(server.url, '203.0.113.2');
    expect(await sendTo(elsewhere, third)).toMatchObject({ ok: true, data: { offset: 1 } });
  });

  it('still takes messages to rooms with a history once the bound is reached', async () => {
    const guest = await guestFrom(server.url, '203.0.113.3');
    const [first, second] = [uniqueId('one'), uniqueId('two')];
    await sendTo(guest, first);
    await sendTo(guest, second);
    expect(await sendTo(guest, uniqueId('three'))).toEqual(refusedNaming('ROOMS_NEW_PER_HOUR'));

    expect((await sent(guest, first, 'again')).offset).toBe(2);
    const broughtByOthers = uniqueId('others');
    await sendTo(await guestFrom(server.url, '203.0.113.4'), broughtByOthers);
    expect(await sendTo(guest, broughtByOthers)).toMatchObject({ ok: true, data: { offset: 2 } });
  });

  it('counts a signed-in user per user id, not per address', async () => {
    const address = '203.0.113.5';
    const [ann, bob] = [newUser('Ann'), newUser('Bob')];
    const annSocket = await connectWithToken(
      server.url,
      { sub: ann.id, name: ann.name },
      { extraHeaders: { 'x-forwarded-for': address } },
    );
    const bobSocket = await connectWithToken(
      server.url,
      { sub: bob.id, name: bob.name },
      { extraHeaders: { 'x-forwarded-for': address } },
    );
    await sendTo(annSocket, uniqueId('one'));
    await sendTo(annSocket, uniqueId('two'));
    expect(await sendTo(annSocket, uniqueId('three'))).toEqual(refusedNaming('ROOMS_NEW_PER_HOUR'));

    expect(await sendTo(bobSocket, uniqueId('four'))).toMatchObject({ ok: true });
    expect(await sendTo(await guestFrom(server.url, address), uniqueId('five'))).toMatchObject({
      ok: true,
    });
  });

  it("does not count the server API's messages", async () => {
    for (const room of [uniqueId('one'), uniqueId('two'), uniqueId('three')]) {
      expect((await api.post(`/api/rooms/${room}/messages`, { text: 'hi' })).status).toBe(201);
    }
  });
});
