import { io } from 'socket.io-client';
import type { SessionExpiring } from '@switchboard/contract';
import { connect, nextEvent, ok, refusal } from './support/clients.js';
import { until, useHookBackend, type HookAnswer } from './support/hook-backend.js';
import { uniqueId } from './support/identities.js';
import { ROOMS_TEST_ENV } from './support/rooms.js';
import { useServer } from './support/server.js';
import { signToken } from './support/tokens.js';
import { closeAllClientsAndTransports, type TransportName } from './support/transports.js';

const SESSION = 'session=s3cr3t';

describe('the connect hook', () => {
  const env: Record<string, string> = {
    ...ROOMS_TEST_ENV,
    // Short for the hung backend's test, yet long enough for a first connection on a busy machine.
    HOOK_TIMEOUT_MS: '1000',
    HOOK_MAX_IN_FLIGHT: '1',
  };
  const hooks = useHookBackend(env, ['connect']);
  const server = useServer(env);
  afterEach(() => closeAllClientsAndTransports());

  const answering = (answer: HookAnswer) => hooks.backend.answer('/connect', () => answer);
  /** A browser-like client carrying a session cookie, over `transports`. */
  const withCookie = (transports: TransportName[] = ['websocket'], auth = {}) =>
    connect(server.url, auth, { transports, extraHeaders: { cookie: SESSION } });

  describe.each<TransportName>(['polling', 'websocket'])('over %s', (transport) => {
    it('makes the socket the user that the backend names from the cookie', async () => {
      const id = uniqueId('cookie-user');
      hooks.backend.answer('/connect', ({ body }) =>
        (body.headers as Record<string, string>).cookie === SESSION
          ? { body: { user: { id, name: 'Carla' }, rooms: ['private:team-*'] } }
          : { status: 401 },
      );

      const carla = await withCookie([transport], { tenant: 'acme' });

      expect(carla.welcome.user).toEqual({ id, name: 'Carla' });
      const asked = hooks.backend.receivedAt('/connect').at(-1)!;
      expect(asked.signed).toBe(true);
      expect(asked.body).toEqual({
        auth: { tenant: 'acme' },
        headers: expect.objectContaining({ cookie: SESSION }) as unknown,
        ip: '127.0.0.1',
        transport,
      });
      expect(Object.keys(asked.body.headers as object)).not.toContain('host');
      await ok(carla, 'room:join', { room: 'private:team-blue' });
    });
  });

  it('makes a guest of a { guest: true } answer, named as the client asked', async () => {
    answering({ body: { guest: true } });

    const guest = await withCookie(['websocket'], { name: 'Visitor' });

    expect(guest.welcome.user).toEqual({ id: expect.stringMatching(/^guest:/), name: 'Visitor' });
  });

  it('gives the identity its lifetime: session:expiring at once when under a minute is left', async () => {
    const expiresAt = Date.now() + 30_000;
    answering({ body: { user: { id: uniqueId('short'), name: 'Short' }, expiresAt } });
    const socket = io(server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    const expiring = nextEvent<SessionExpiring>(socket, 'session:expiring');

    try {
      expect(await expiring).toEqual({ expiresAt });
    } finally {
      socket.disconnect();
    }
  });

  it.each<[string, HookAnswer]>([
    ['a 401', { status: 401 }],
    ['a 403', { status: 403, body: { message: 'logged out' } }],
    ['the reserved id "system"', { body: { user: { id: 'system', name: 'System' } } }],
    ['a guest id', { body: { user: { id: 'guest:fake', name: 'Fake' } } }],
    ['an identity already expired', { body: { user: { id: 'u' }, expiresAt: 1000 } }],
  ])('refuses %s as unauthorized', async (_, answer) => {
    answering(answer);

    const refused = await refusal(server.url, {});

    expect(refused.message).toBe('unauthorized');
    expect(refused.data).toEqual({ code: 'UNAUTHORIZED' });
  });

  it.each<[string, HookAnswer]>([
    ['a 500', { status: 500, body: { user: { id: 'u' } } }],
    ['malformed JSON', { raw: '{"user":' }],
    ['a user without an id', { body: { user: { name: 'Nobody' } } }],
    ['roles that are not strings', { body: { user: { id: 'u' }, roles: [1] } }],
    ['no answer in time', 'hang'],
  ])('refuses %s as unavailable', async (_, answer) => {
    answering(answer);

    const refused = await refusal(server.url, {});

    expect(refused.message).toBe('unavailable');
    expect(refused.data).toEqual({ code: 'UNAVAILABLE' });
  });

  it('refuses as unavailable at once while HOOK_MAX_IN_FLIGHT handshakes wait', async () => {
    const held: (() => void)[] = [];
    hooks.backend.answer(
      '/connect',
      () => new Promise((resolve) => held.push(() => resolve({ body: { guest: true } }))),
    );
    const waiting = connect(server.url, {});
    await until(() => held.length === 1);

    const refused = await refusal(server.url, {});
    held[0]();

    expect(refused.message).toBe('unavailable');
    expect((await waiting).welcome.user.id).toMatch(/^guest:/);
  });

  it('never asks about a handshake with a token', async () => {
    const asked = hooks.backend.receivedAt('/connect').length;
    const token = await signToken({ sub: uniqueId('tok'), name: 'Tok' });

    await connect(server.url, { token });
    expect((await refusal(server.url, { token: 'not-a-jwt' })).message).toBe('unauthorized');

    expect(hooks.backend.receivedAt('/connect')).toHaveLength(asked);
  });
});
