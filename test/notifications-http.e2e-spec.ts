import { closeAllClients, connect, nextNotification, ok } from './support/clients.js';
import { bearer, get, postNotification } from './support/http.js';
import { connectWithToken, uniqueId } from './support/identities.js';
import { closeInboxClients, connectWithInbox } from './support/inbox.js';
import { useServer } from './support/server.js';
import { signToken, TEST_JWT_SECRET } from './support/tokens.js';

const API_KEY = 'an-api-key-for-other-backends';

describe('POST /api/notifications', () => {
  const server = useServer({
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    NOTIFY_API_KEY: API_KEY,
    NOTIFY_ACK_TIMEOUT_MS: '500',
  });
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });

  it('answers 202 { id, recipients } and delivers the notification from system', async () => {
    const userId = uniqueId('ivy');
    const laptop = await connectWithToken(server.url, { sub: userId, name: 'Ivy' });
    const phone = await connectWithToken(server.url, { sub: userId, name: 'Ivy' });
    const received = Promise.all([nextNotification(laptop), nextNotification(phone)]);

    const response = await postNotification(
      server.url,
      { target: { userId }, title: 'Invoice', body: 'is ready', data: { invoiceId: 'F-12' } },
      bearer(API_KEY),
    );

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: expect.any(String), recipients: 2 });
    const { id } = response.body as { id: string };
    const [first, second] = await received;
    expect(first).toEqual({
      id,
      title: 'Invoice',
      body: 'is ready',
      data: { invoiceId: 'F-12' },
      ts: expect.any(Number),
      from: { id: 'system', name: expect.any(String) },
    });
    expect(second).toEqual(first);
  });

  it('keeps a notification for a user who is offline', async () => {
    const userId = uniqueId('ivy');
    const response = await postNotification(
      server.url,
      { target: { userId }, title: 'Later', body: 'you were away' },
      bearer(API_KEY),
    );
    expect(response).toMatchObject({ status: 202, body: { recipients: 0 } });

    const received = await connectAndTakeFirstNotification(userId);

    expect(received).toMatchObject({ id: (response.body as { id: string }).id, title: 'Later' });
  });

  it('notifies a room without being in it', async () => {
    const room = uniqueId('room');
    const members = await Promise.all(['a', 'b'].map((name) => connect(server.url, { name })));
    for (const member of members) await ok(member, 'room:join', { room });
    const received = Promise.all(members.map((member) => nextNotification(member)));

    const response = await postNotification(
      server.url,
      { target: { room }, title: 'Deploy', body: 'done' },
      bearer(API_KEY),
    );

    expect(response).toMatchObject({ status: 202, body: { recipients: 2 } });
    for (const notification of await received) {
      expect(notification).toMatchObject({ title: 'Deploy', from: { id: 'system' } });
    }
  });

  it('notifies everyone', async () => {
    const socket = await connect(server.url, { name: 'anyone' });
    const received = nextNotification(socket);

    const response = await postNotification(
      server.url,
      { target: { all: true }, title: 'Maintenance', body: 'tonight' },
      bearer(API_KEY),
    );

    expect(response.status).toBe(202);
    expect(await received).toMatchObject({ title: 'Maintenance', from: { id: 'system' } });
  });

  describe('refuses with 401', () => {
    const body = { target: { userId: 'someone' }, title: 'Hi', body: 'there' };

    it.each([
      ['no Authorization header', undefined],
      ['a wrong key', bearer('not-the-api-key-at-all')],
      ['an empty Bearer', 'Bearer '],
      ['the key without the Bearer scheme', API_KEY],
      ['the key with another scheme', `Basic ${API_KEY}`],
    ])('a request with %s', async (_what, authorization) => {
      const response = await postNotification(server.url, body, authorization);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String) });
    });

    it('before it reads the body: an unauthorized caller learns nothing from how it is parsed', async () => {
      const malformed = await postNotification(server.url, '{"target":', undefined);
      expect(malformed.status).toBe(401);
      const huge = await postNotification(server.url, {
        ...body,
        data: { blob: 'x'.repeat(200_000) },
      });
      expect(huge.status).toBe(401);
    });

    it('and delivers nothing', async () => {
      const userId = uniqueId('ivy');
      const response = await postNotification(
        server.url,
        { ...body, target: { userId }, title: 'Forged' },
        bearer('not-the-api-key-at-all'),
      );
      expect(response.status).toBe(401);
      await postNotification(
        server.url,
        { ...body, target: { userId }, title: 'Genuine' },
        bearer(API_KEY),
      );

      const received = await connectAndTakeFirstNotification(userId);

      expect(received.title).toBe('Genuine');
    });
  });

  describe('refuses a bad body with 400 and the details of VALIDATION_FAILED', () => {
    it.each([
      ['an empty title', { target: { userId: 'u' }, title: '', body: 'b' }, 'title'],
      [
        'a body of 2001 characters',
        { target: { userId: 'u' }, title: 't', body: 'x'.repeat(2001) },
        'body',
      ],
      [
        'data that is not an object',
        { target: { userId: 'u' }, title: 't', body: 'b', data: 3 },
        'data',
      ],
      [
        'a target of two kinds',
        { target: { userId: 'u', all: true }, title: 't', body: 'b' },
        'target',
      ],
      ['a missing target', { title: 't', body: 'b' }, 'target'],
    ])('%s', async (_what, body, field) => {
      const response = await postNotification(server.url, body, bearer(API_KEY));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        details: expect.arrayContaining([
          {
            field: expect.stringMatching(new RegExp(`^${field}`)),
            problems: expect.arrayContaining([expect.any(String)]),
          },
        ]),
      });
    });

    it('a JSON body that is not an object', async () => {
      const response = await postNotification(server.url, ['a list'], bearer(API_KEY));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        details: [{ field: expect.any(String), problems: [expect.any(String)] }],
      });
    });

    it('a body nested thousands of levels deep', async () => {
      const depth = 5000;
      const data = '{"a":'.repeat(depth) + '{}' + '}'.repeat(depth);
      const raw = `{"target":{"userId":"u"},"title":"t","body":"b","data":${data}}`;
      const response = await postNotification(server.url, raw, bearer(API_KEY));
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: [{ field: 'payload', problems: [expect.stringContaining('deeper')] }],
      });
    });

    it('a body over the 64 KB limit, with 413 PAYLOAD_TOO_LARGE', async () => {
      const body = {
        target: { userId: 'u' },
        title: 't',
        body: 'b',
        data: { blob: 'x'.repeat(70_000) },
      };
      const response = await postNotification(server.url, body, bearer(API_KEY));
      expect(response.status).toBe(413);
      expect(response.body).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) });
    });

    it('a body that is not valid JSON, with the error shape of the contract', async () => {
      const response = await postNotification(server.url, '{"target":', bearer(API_KEY));

      expect(response.status).toBe(400);
      expect(response.contentType).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: [{ field: 'body', problems: [expect.any(String)] }],
      });
    });
  });

  async function connectAndTakeFirstNotification(userId: string) {
    const token = await signToken({ sub: userId, name: 'Ivy' });
    return (await connectWithInbox(server.url, { token })).inbox.take();
  }
});

describe('POST /api/notifications when NOTIFY_API_KEY is unset', () => {
  const server = useServer({ AUTH_JWT_SECRET: TEST_JWT_SECRET });

  it('answers 404: the endpoint is off', async () => {
    const response = await postNotification(
      server.url,
      { target: { all: true }, title: 'Hi', body: 'there' },
      bearer(API_KEY),
    );
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ code: 'NOT_FOUND', message: expect.any(String) });
  });

  it('answers an unknown route with 404 { code: NOT_FOUND, message } too', async () => {
    const response = await get(server.url, '/nope');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ code: 'NOT_FOUND', message: expect.any(String) });
  });
});
