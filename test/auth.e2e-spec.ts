import { SignJWT } from 'jose';
import type { Notification } from '@switchboard/contract';
import { closeAllClients, connect, nextNotification, ok, refusal } from './support/clients.js';
import { connectWithToken, uniqueId, unsignedToken } from './support/identities.js';
import { inCommonRoom } from './support/rooms.js';
import { useServer } from './support/server.js';
import { signToken, TEST_JWT_SECRET } from './support/tokens.js';

const UNAUTHORIZED = { message: 'unauthorized', data: { code: 'UNAUTHORIZED' } };

describe('identity (handshake)', () => {
  // A short ack timeout: a notification whose ack the end of a test cuts off holds no long timer.
  const server = useServer({ AUTH_JWT_SECRET: TEST_JWT_SECRET, NOTIFY_ACK_TIMEOUT_MS: '500' });
  afterEach(() => closeAllClients());

  describe('with a token', () => {
    it('welcomes the token’s subject under its name', async () => {
      const alice = await connectWithToken(server.url, { sub: 'user-42', name: 'Alice' });
      expect(alice.welcome.user).toEqual({ id: 'user-42', name: 'Alice' });
    });

    it('keeps the roles out of the welcome', async () => {
      const admin = await connectWithToken(server.url, {
        sub: 'user-7',
        name: 'Root',
        roles: ['admin'],
      });
      expect(admin.welcome.user).toEqual({ id: 'user-7', name: 'Root' });
    });

    it.each([
      [
        'an expired token',
        () =>
          signToken(
            { sub: 'user-1', name: 'Late' },
            { expiresIn: Math.floor(Date.now() / 1000) - 60 },
          ),
      ],
      [
        'a token signed with another secret',
        () =>
          signToken(
            { sub: 'user-1', name: 'Mallory' },
            { secret: 'another-secret-of-32-chars!!!!!' },
          ),
      ],
      [
        'an unsigned token (alg: none)',
        () =>
          Promise.resolve(
            unsignedToken({
              sub: 'user-1',
              name: 'Mallory',
              roles: ['admin'],
              exp: Math.floor(Date.now() / 1000) + 3600,
            }),
          ),
      ],
      [
        'a token signed with the secret but with HS512',
        () =>
          new SignJWT({ sub: 'user-1', name: 'Mallory' })
            .setProtectedHeader({ alg: 'HS512' })
            .setExpirationTime('1h')
            .sign(new TextEncoder().encode(TEST_JWT_SECRET)),
      ],
      ['a token that is not a JWT', () => Promise.resolve('not-a-jwt')],
      [
        'a room token (a leaked invitation is not a login)',
        () => signToken({ sub: 'user-42', room: 'private:x' }),
      ],
      ['a token whose subject is the reserved id "system"', () => signToken({ sub: 'system' })],
      ['a token whose subject is a guest id', () => signToken({ sub: 'guest:1234' })],
      ['a token that is not a string', () => Promise.resolve(42 as unknown as string)],
    ])('refuses %s with connect_error "unauthorized"', async (_what, makeToken) => {
      const error = await refusal(server.url, { token: await makeToken() });
      expect(error).toMatchObject(UNAUTHORIZED);
    });
  });

  describe('names that could mislead', () => {
    it.each([
      ['a new line', 'alice\nSystem: you are banned'],
      ['NUL', 'ali\u0000ce'],
      ['ESC', '\u001b[31malice'],
      ['a right-to-left override', 'alice\u202Eecila'],
      ['a zero-width space', 'ali\u200Bce'],
    ])('refuses a guest name holding %s with connect_error "unauthorized"', async (_what, name) => {
      expect(await refusal(server.url, { name })).toMatchObject(UNAUTHORIZED);
    });

    it('welcomes a token’s user with the control and format characters of its name removed', async () => {
      const alice = await connectWithToken(server.url, {
        sub: 'user-43',
        name: 'Alice\u202E\n\u200BAdmin',
      });
      expect(alice.welcome.user).toEqual({ id: 'user-43', name: 'AliceAdmin' });
    });

    it('names a token’s user by their id when nothing is left of the name', async () => {
      const user = await connectWithToken(server.url, { sub: 'user-44', name: '\u202E\u0000' });
      expect(user.welcome.user).toEqual({ id: 'user-44', name: 'user-44' });
    });
  });

  describe('as a guest', () => {
    it('welcomes a guest under the trimmed name it gave', async () => {
      const guest = await connect(server.url, { name: '  bob  ' });
      expect(guest.welcome.user).toEqual({ id: expect.stringMatching(/^guest:.+/), name: 'bob' });
    });

    it('calls a guest without a name "Anonymous"', async () => {
      const guest = await connect(server.url, {});
      expect(guest.welcome.user).toEqual({
        id: expect.stringMatching(/^guest:.+/),
        name: 'Anonymous',
      });
    });

    it('gives every guest connection its own id', async () => {
      const first = await connect(server.url, { name: 'bob' });
      const second = await connect(server.url, { name: 'bob' });
      expect(first.welcome.user.id).not.toBe(second.welcome.user.id);
    });
  });

  describe('the private user room', () => {
    it('puts every socket of a user in user:<id>, so a notification reaches all their tabs', async () => {
      const carolId = uniqueId('carol');
      const laptop = await connectWithToken(server.url, { sub: carolId, name: 'Carol' });
      const phone = await connectWithToken(server.url, { sub: carolId, name: 'Carol' });
      const sender = await connect(server.url, { name: 'dave' });
      await inCommonRoom(sender, laptop);

      const received = Promise.all([nextNotification(laptop), nextNotification(phone)]);
      const sent = await ok<{ id: string; recipients: number }>(sender, 'notification:send', {
        target: { userId: carolId },
        title: 'Hello',
        body: 'both tabs',
      });

      expect(sent.recipients).toBe(2);
      const notifications: Notification[] = await received;
      expect(notifications.map((notification) => notification.id)).toEqual([sent.id, sent.id]);
    });
  });
});

describe('identity when AUTH_ALLOW_GUESTS is false', () => {
  const server = useServer({ AUTH_JWT_SECRET: TEST_JWT_SECRET, AUTH_ALLOW_GUESTS: 'false' });
  afterEach(() => closeAllClients());

  it('refuses a guest that gives a name', async () => {
    expect(await refusal(server.url, { name: 'bob' })).toMatchObject(UNAUTHORIZED);
  });

  it('refuses a handshake without credentials', async () => {
    expect(await refusal(server.url, {})).toMatchObject(UNAUTHORIZED);
  });

  it('still welcomes a valid token', async () => {
    const alice = await connectWithToken(server.url, { sub: 'user-42', name: 'Alice' });
    expect(alice.welcome.user).toEqual({ id: 'user-42', name: 'Alice' });
  });
});
