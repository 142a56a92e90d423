import { closeAllClients, collect, nextNotification } from './support/clients.js';
import { bearer, get, post, serverApi } from './support/http.js';
import { connectWithToken, uniqueId } from './support/identities.js';
import { caughtUp, guestsIn, ROOMS_TEST_ENV } from './support/rooms.js';
import { useServer } from './support/server.js';

const API_KEY = 'the-new-api-key-of-some-length';
const OLD_KEY = 'the-older-notify-api-key-name';

/** Every route of the server API that needs the key, with a body that it accepts. */
const ROUTES: [method: 'GET' | 'POST', path: string, body?: unknown][] = [
  ['POST', '/api/notifications', { target: { all: true }, title: 't', body: 'b' }],
  ['POST', '/api/rooms/lobby/messages', { text: 'hi' }],
  ['GET', '/api/rooms/lobby/members'],
  ['GET', '/api/rooms/lobby/messages'],
  ['GET', '/api/rooms'],
  ['POST', '/api/users/someone/disconnect', {}],
  ['POST', '/api/rooms/lobby/events', { event: 'ping' }],
  ['POST', '/api/users/someone/events', { event: 'ping' }],
];

function call(url: string, [method, path, body]: (typeof ROUTES)[number], authorization?: string) {
  if (method === 'POST') return post(url, path, body, authorization);
  return get(url, path, authorization === undefined ? {} : { authorization });
}

describe('the server API key', () => {
  const server = useServer({ ...ROOMS_TEST_ENV, API_KEY, NOTIFY_API_KEY: OLD_KEY });

  it.each(ROUTES)('lets %s %s in with API_KEY and with NOTIFY_API_KEY', async (...route) => {
    for (const key of [API_KEY, OLD_KEY]) {
      expect((await call(server.url, route, bearer(key))).status).toBeLessThan(300);
    }
  });

  it.each(ROUTES)('refuses %s %s with 401 without the key or with another', async (...route) => {
    for (const authorization of [undefined, bearer('not-the-api-key-at-all'), API_KEY]) {
      const response = await call(server.url, route, authorization);
      expect(response).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    }
  });

  it('refuses a body over 64 KB with 413 on a POST route', async () => {
    const response = await post(
      server.url,
      '/api/rooms/lobby/messages',
      { text: 'x'.repeat(70_000) },
      bearer(API_KEY),
    );
    expect(response).toEqual(
      expect.objectContaining({
        status: 413,
        body: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) },
      }),
    );
  });
});

describe('the server API without API_KEY and NOTIFY_API_KEY', () => {
  const server = useServer();

  it.each(ROUTES)('answers %s %s with 404: the API is off', async (...route) => {
    const response = await call(server.url, route, bearer(API_KEY));
    expect(response).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('still serves GET /api/openapi.json', async () => {
    expect((await get(server.url, '/api/openapi.json')).status).toBe(200);
  });
});

describe('idempotencyKey on the POST routes of the server API', () => {
  const server = useServer({ ...ROOMS_TEST_ENV, API_KEY });
  const api = serverApi(() => server.url, API_KEY);
  afterEach(closeAllClients);

  it('returns the first message again for a repeated key, and stores and sends nothing more', async () => {
    const room = uniqueId('lobby');
    const [ann] = await guestsIn(server.url, room, 'Ann');
    const arrived = collect(ann, 'chat:message');
    const body = { text: 'once', idempotencyKey: 'k-1' };

    const first = await api.post(`/api/rooms/${room}/messages`, body);
    const again = await api.post(`/api/rooms/${room}/messages`, { ...body, text: 'other' });
    await caughtUp(ann);

    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: first.status, body: first.body });
    expect(arrived).toEqual([first.body]);
    expect((await api.get(`/api/rooms/${room}/messages`)).body).toMatchObject({
      messages: [first.body],
    });
  });

  it('keeps a key per route and path: the same key in another room is another message', async () => {
    const body = { text: 'hi', idempotencyKey: 'k-1' };
    const first = await api.post(`/api/rooms/${uniqueId('a')}/messages`, body);
    const other = await api.post(`/api/rooms/${uniqueId('b')}/messages`, body);
    expect(other.status).toBe(201);
    expect(other.body).not.toEqual(first.body);
  });

  it('returns a refusal again, same status and body', async () => {
    const room = uniqueId('lobby');
    await api.post(`/api/rooms/${room}/messages`, { text: 'one', clientMsgId: 'c' });
    const body = { text: 'two', clientMsgId: 'c', idempotencyKey: 'k-2' };
    const first = await api.post(`/api/rooms/${room}/messages`, body);
    const again = await api.post(`/api/rooms/${room}/messages`, body);
    expect(first.status).toBe(409);
    expect(again).toMatchObject({ status: 409, body: first.body });
  });

  it('sends a notification once for a repeated key, answering 202 with the same id', async () => {
    const userId = uniqueId('ivy');
    const socket = await connectWithToken(server.url, { sub: userId, name: 'Ivy' });
    const notifications = collect(socket, 'notification');
    const received = nextNotification(socket);
    const body = { target: { userId }, title: 't', body: 'b', idempotencyKey: 'n-1' };

    const first = await api.post('/api/notifications', body);
    const again = await api.post('/api/notifications', body);
    await received;
    await caughtUp(socket);

    expect(first.status).toBe(202);
    expect(again).toMatchObject({ status: 202, body: first.body });
    expect(notifications).toHaveLength(1);
  });

  it('refuses a second request with a key still at work with 409, and does the work once', async () => {
    const room = uniqueId('lobby');
    const body = { text: 'together', idempotencyKey: 'k-3' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => api.post(`/api/rooms/${room}/messages`, body)),
    );
    const created = answers.filter((answer) => answer.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
    for (const answer of answers.filter((each) => each.status !== 201)) {
      expect(answer).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    }
    expect((await api.get(`/api/rooms/${room}/messages`)).body).toMatchObject({
      messages: [created[0].body],
    });
  });
});
