import { closeAllClients, connectAs, ok, request, type TestClient } from './support/clients.js';
import { uniqueId } from './support/identities.js';
import {
  connectGranted,
  joinSeenBy,
  membersSeenBy,
  privateRoom,
  roomTokenFor,
} from './support/private-rooms.js';
import { failure, ROOMS_TEST_ENV, sortedById } from './support/rooms.js';
import { useServer } from './support/server.js';
import { secondsFromNow } from './support/signing-keys.js';
import { signToken } from './support/tokens.js';

describe('private rooms', () => {
  const server = useServer(ROOMS_TEST_ENV);
  afterEach(() => closeAllClients());

  /** A member of `room`, let in by the admin role, so that a test can watch who else joins. */
  async function memberOf(room: string): Promise<TestClient> {
    const owner = await connectGranted(server.url, 'Owner', { roles: ['admin'] });
    await ok(owner, 'room:join', { room });
    return owner;
  }

  describe('let a user in', () => {
    it.each([
      ['the exact room name in the token’s rooms claim', (room: string) => [room]],
      ['a prefix ending in * in the rooms claim', (room: string) => [`${room.slice(0, -3)}*`]],
    ])('with %s, and tell the members', async (_grant, claimFor) => {
      const room = privateRoom('team');
      const owner = await memberOf(room);
      const alice = await connectGranted(server.url, 'Alice', { rooms: claimFor(room) });

      const seen = await joinSeenBy(owner, alice, { room });

      expect(seen.reply).toMatchObject({ ok: true, data: { room } });
      expect(seen.announced).toEqual([{ room, user: alice.welcome.user }]);
      expect(seen.members).toEqual(sortedById([owner.welcome.user, alice.welcome.user]));
    });

    it('with a room token for this user and this room', async () => {
      const room = privateRoom('support');
      const owner = await memberOf(room);
      const alice = await connectGranted(server.url, 'Alice');
      const token = await roomTokenFor(alice.welcome.user.id, room);

      const seen = await joinSeenBy(owner, alice, { room, token });

      expect(seen.reply).toMatchObject({ ok: true, data: { room } });
      expect(seen.announced).toEqual([{ room, user: alice.welcome.user }]);
    });

    it('with the admin role, into any private room', async () => {
      const admin = await connectGranted(server.url, 'Root', { roles: ['admin'] });
      expect(await request(admin, 'room:join', { room: privateRoom('anything') })).toMatchObject({
        ok: true,
      });
    });

    it('with the grants of a refreshed token', async () => {
      const room = privateRoom('later');
      const alice = await connectGranted(server.url, 'Alice');
      expect(await request(alice, 'room:join', { room })).toEqual(failure('FORBIDDEN'));
      const { id, name } = alice.welcome.user;
      await ok(alice, 'session:refresh', {
        token: await signToken({ sub: id, name, rooms: [room] }),
      });
      expect(await request(alice, 'room:join', { room })).toMatchObject({ ok: true });
    });

    it('where everything works as in any room: chat between the members', async () => {
      const room = privateRoom('chat');
      const owner = await memberOf(room);
      const alice = await connectGranted(server.url, 'Alice', { rooms: [room] });
      await ok(alice, 'room:join', { room });
      const message = await ok(alice, 'chat:send', { room, text: 'only for us' });
      const { messages } = await ok<{ messages: unknown[] }>(owner, 'chat:history', { room });
      expect(messages).toEqual([message]);
    });
  });

  describe('refuse a join as FORBIDDEN, telling nobody and changing nothing', () => {
    it.each([
      ['without any grant', () => connectGranted(server.url, 'Mallory'), () => undefined],
      ['from a guest', () => connectAs(server.url, 'mallory'), () => undefined],
      [
        'with a claim for other rooms only',
        () => connectGranted(server.url, 'Mallory', { rooms: ['private:other', 'lobby*'] }),
        () => undefined,
      ],
      [
        'with a room token for another user',
        () => connectGranted(server.url, 'Mallory'),
        (room: string) => roomTokenFor(uniqueId('alice'), room),
      ],
      [
        'with a room token for another room',
        () => connectGranted(server.url, 'Mallory'),
        (_room: string, userId: string) => roomTokenFor(userId, privateRoom('elsewhere')),
      ],
      [
        'with a connection token of the user (no room claim) as the room token',
        () => connectGranted(server.url, 'Mallory'),
        (_room: string, userId: string) => signToken({ sub: userId, name: 'Mallory' }),
      ],
      [
        'with an expired room token',
        () => connectGranted(server.url, 'Mallory'),
        (room: string, userId: string) => roomTokenFor(userId, room, secondsFromNow(-60)),
      ],
    ])('%s', async (_case, connectJoiner, tokenFor) => {
      const room = privateRoom('secret');
      const owner = await memberOf(room);
      const mallory = await connectJoiner();
      const token = await tokenFor(room, mallory.welcome.user.id);

      const seen = await joinSeenBy(owner, mallory, token ? { room, token } : { room });

      expect(seen.reply).toEqual(failure('FORBIDDEN'));
      expect(seen.announced).toEqual([]);
      expect(seen.members).toEqual([owner.welcome.user]);
      expect(await request(mallory, 'chat:history', { room })).toEqual(failure('FORBIDDEN'));
    });

    it('when a socket that left re-joins without its room token', async () => {
      const room = privateRoom('once');
      const owner = await memberOf(room);
      const alice = await connectGranted(server.url, 'Alice');
      await ok(alice, 'room:join', {
        room,
        token: await roomTokenFor(alice.welcome.user.id, room),
      });
      await ok(alice, 'room:leave', { room });

      const seen = await joinSeenBy(owner, alice, { room });

      expect(seen.reply).toEqual(failure('FORBIDDEN'));
      expect(seen.announced).toEqual([]);
      expect(await membersSeenBy(owner, room)).toEqual([owner.welcome.user]);
    });
  });

  it('lets anyone into a room that is not private', async () => {
    const guest = await connectAs(server.url, 'guest');
    expect(await request(guest, 'room:join', { room: uniqueId('lobby') })).toMatchObject({
      ok: true,
    });
  });
});

describe('rooms when ROOMS_REQUIRE_GRANT is true', () => {
  const server = useServer({ ...ROOMS_TEST_ENV, ROOMS_REQUIRE_GRANT: 'true' });
  afterEach(() => closeAllClients());

  it('refuses any room without a grant, to users and guests', async () => {
    const room = uniqueId('lobby');
    const alice = await connectGranted(server.url, 'Alice');
    const guest = await connectAs(server.url, 'guest');
    expect(await request(alice, 'room:join', { room })).toEqual(failure('FORBIDDEN'));
    expect(await request(guest, 'room:join', { room })).toEqual(failure('FORBIDDEN'));
  });

  it('lets a user into any room with a grant', async () => {
    const room = uniqueId('lobby');
    const alice = await connectGranted(server.url, 'Alice', { rooms: [room] });
    const bob = await connectGranted(server.url, 'Bob');
    expect(await request(alice, 'room:join', { room })).toMatchObject({ ok: true });
    const token = await roomTokenFor(bob.welcome.user.id, room);
    expect(await request(bob, 'room:join', { room, token })).toMatchObject({ ok: true });
  });
});
