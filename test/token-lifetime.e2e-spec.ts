import type { Message } from '@switchboard/contract';
import { closeAllClients, connectAs, ok, request } from './support/clients.js';
import { uniqueId } from './support/identities.js';
import { failure, ROOMS_TEST_ENV, validationFailure } from './support/rooms.js';
import { useServer } from './support/server.js';
import {
  closeSessionClients,
  connectWithSession,
  type SessionClient,
} from './support/session-events.js';
import { secondsFromNow } from './support/signing-keys.js';
import { signToken } from './support/tokens.js';

describe('token lifetime', () => {
  // A short ack timeout: the notification to everyone below holds no long timer past the test.
  const server = useServer({ ...ROOMS_TEST_ENV, NOTIFY_ACK_TIMEOUT_MS: '500' });
  afterEach(() => {
    closeSessionClients();
    closeAllClients();
  });

  /** A token of `sub` whose `exp` is `exp` (seconds since the epoch). */
  const tokenOf = (sub: string, exp: number, claims: { name?: string; roles?: string[] } = {}) =>
    signToken({ sub, ...claims }, { expiresIn: exp });

  async function connectUntil(exp: number): Promise<SessionClient> {
    return connectWithSession(server.url, await tokenOf(uniqueId('alice'), exp));
  }

  it('tells a socket with less than 60 s left at once, then ends its session at exp', async () => {
    const exp = secondsFromNow(2);
    const alice = await connectUntil(exp);

    expect(await alice.session.take('session:expiring')).toEqual({ expiresAt: exp * 1000 });
    expect(await alice.session.take('session:ended')).toEqual({
      reason: 'token_expired',
      message: expect.any(String),
    });
    expect(await alice.session.take('disconnect')).toBe('io server disconnect');
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
  });

  it('keeps a socket that refreshed its token past the old exp, until the new one', async () => {
    const firstExp = secondsFromNow(2);
    const alice = await connectUntil(firstExp);
    await alice.session.take('session:expiring');

    const newExp = firstExp + 2;
    const refreshed = await request(alice, 'session:refresh', {
      token: await tokenOf(alice.welcome.user.id, newExp),
    });

    expect(refreshed).toEqual({ ok: true, data: { expiresAt: newExp * 1000 } });
    expect(await alice.session.take('session:expiring')).toEqual({ expiresAt: newExp * 1000 });
    expect(await alice.session.take('session:ended')).toMatchObject({ reason: 'token_expired' });
    expect(await alice.session.take('disconnect')).toBe('io server disconnect');
    expect(Date.now()).toBeGreaterThanOrEqual(newExp * 1000);
  });

  it('gives the socket the refreshed token’s name and roles', async () => {
    const id = uniqueId('alice');
    const alice = await connectWithSession(
      server.url,
      await tokenOf(id, secondsFromNow(3600), { name: 'Alice' }),
    );
    const bob = await connectAs(server.url, 'bob');
    const room = uniqueId('lobby');
    await Promise.all([ok(alice, 'room:join', { room }), ok(bob, 'room:join', { room })]);
    const toEveryone = { target: { all: true }, title: 'hi', body: 'all' };
    expect(await request(alice, 'notification:send', toEveryone)).toEqual(failure('FORBIDDEN'));

    await ok(alice, 'session:refresh', {
      token: await tokenOf(id, secondsFromNow(3600), { name: 'Alice B.', roles: ['admin'] }),
    });

    expect(await request(alice, 'notification:send', toEveryone)).toMatchObject({ ok: true });
    const message = await ok<Message>(alice, 'chat:send', { room, text: 'renamed' });
    expect(message.user).toEqual({ id, name: 'Alice B.' });
  });

  it('refuses a token of another user as FORBIDDEN and keeps the socket as it was', async () => {
    const exp = secondsFromNow(2);
    const alice = await connectUntil(exp);
    const bobs = await tokenOf(uniqueId('bob'), secondsFromNow(3600));

    expect(await request(alice, 'session:refresh', { token: bobs })).toEqual(failure('FORBIDDEN'));
    expect(await alice.session.take('session:ended')).toMatchObject({ reason: 'token_expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
  });

  it.each([
    ['garbage', () => Promise.resolve('garbage')],
    ['an expired token', () => tokenOf('whoever', secondsFromNow(-60))],
  ])('refuses %s as UNAUTHORIZED, and the socket stays connected', async (_case, token) => {
    const alice = await connectUntil(secondsFromNow(3600));
    expect(await request(alice, 'session:refresh', { token: await token() })).toEqual(
      failure('UNAUTHORIZED'),
    );
    await ok(alice, 'session:ping');
    expect(alice.connected).toBe(true);
  });

  it('refuses a room token of the same user as UNAUTHORIZED, and keeps the socket as it was', async () => {
    const exp = secondsFromNow(2);
    const alice = await connectUntil(exp);
    const roomToken = await signToken(
      { sub: alice.welcome.user.id, room: 'private:x' },
      { expiresIn: secondsFromNow(3600) },
    );

    expect(await request(alice, 'session:refresh', { token: roomToken })).toEqual(
      failure('UNAUTHORIZED'),
    );
    expect(await alice.session.take('session:ended')).toMatchObject({ reason: 'token_expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
  });

  it('refuses a refresh without a token as VALIDATION_FAILED', async () => {
    const alice = await connectUntil(secondsFromNow(3600));
    expect(await request(alice, 'session:refresh', {})).toEqual(validationFailure('token'));
  });

  it('refuses a guest’s refresh with a user’s token as FORBIDDEN', async () => {
    const guest = await connectAs(server.url, 'guest');
    const token = await tokenOf(uniqueId('alice'), secondsFromNow(3600));
    expect(await request(guest, 'session:refresh', { token })).toEqual(failure('FORBIDDEN'));
  });
});
