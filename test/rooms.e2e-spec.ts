import type { ErrorEvent, User } from '@switchboard/contract';
import { closeAllClients, collect, connectAs, nextEvent, ok, request } from './support/clients.js';
import { uniqueId } from './support/identities.js';
import {
  caughtUp,
  failure,
  guestsIn,
  history,
  joined,
  newUser,
  offsetRange,
  offsetsOf,
  ROOMS_TEST_ENV,
  sent,
  sentInOrder,
  sortedById,
  twoTabsOf,
  validationFailure,
} from './support/rooms.js';
import { useServer } from './support/server.js';
import { TEST_JWT_SECRET } from './support/tokens.js';

describe('rooms', () => {
  const server = useServer(ROOMS_TEST_ENV);
  afterEach(() => closeAllClients());

  const guest = (name: string) => connectAs(server.url, name);
  const guestsInRoom = (room: string, ...names: string[]) => guestsIn(server.url, room, ...names);

  describe('room:join', () => {
    it('replies with the room, the joiner as a member, lastOffset 0, no missed messages and hasMore false', async () => {
      const alice = await guest('alice');
      const room = uniqueId('lobby');
      expect(await request(alice, 'room:join', { room })).toEqual({
        ok: true,
        data: { room, members: [alice.welcome.user], lastOffset: 0, missed: [], hasMore: false },
      });
    });

    it('lists every present user, the joiner included', async () => {
      const [alice, bob, carol] = await Promise.all([guest('alice'), guest('bob'), guest('carol')]);
      const room = uniqueId('lobby');
      await joined(alice, room);
      await joined(bob, room);
      const { members } = await joined(carol, room);
      expect(sortedById(members)).toEqual(
        sortedById([alice.welcome.user, bob.welcome.user, carol.welcome.user]),
      );
    });

    it("tells the room's other members with room:joined, and not the joiner", async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('lobby');
      await joined(alice, room);
      const announced = nextEvent(alice, 'room:joined');
      const seenByBob = collect(bob, 'room:joined');
      await joined(bob, room);
      expect(await announced).toEqual({ room, user: bob.welcome.user });
      await caughtUp(bob);
      expect(seenByBob).toEqual([]);
    });

    it('does not tell users who are not in the room', async () => {
      const [alice, bob, outsider] = await Promise.all([
        guest('alice'),
        guest('bob'),
        guest('outsider'),
      ]);
      const room = uniqueId('lobby');
      await joined(outsider, uniqueId('elsewhere'));
      const seenByOutsider = collect(outsider, 'room:joined');
      await joined(alice, room);
      await joined(bob, room);
      await caughtUp(outsider);
      expect(seenByOutsider).toEqual([]);
    });

    it('succeeds again with the same reply for a room the socket is in, and tells nobody', async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('lobby');
      await joined(alice, room);
      const first = await joined(bob, room);
      const seenByAlice = collect(alice, 'room:joined');

      const again = await joined(bob, room);

      expect(again).toEqual(first);
      // Bob's next message reaches Alice after anything the second join might have sent her.
      const marker = nextEvent(alice, 'chat:message');
      await sent(bob, room, 'after the second join');
      await marker;
      expect(seenByAlice).toEqual([]);
      expect(sortedById((await joined(alice, room)).members)).toEqual(
        sortedById([alice.welcome.user, bob.welcome.user]),
      );
    });

    it("reports the room's newest offset as lastOffset, and missed [] without after", async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('lobby');
      await joined(alice, room);
      await sentInOrder(alice, room, 3);
      const reply = await joined(bob, room);
      expect(reply).toMatchObject({ room, lastOffset: 3, missed: [], hasMore: false });
    });

    it('keeps a refused join from changing anything, and the socket connected', async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('lobby');
      await joined(bob, room);
      const seenByBob = collect(bob, 'room:joined');
      expect(await request(alice, 'room:join', { room, after: 'the start' })).toEqual(
        validationFailure('after'),
      );
      await caughtUp(bob);
      expect(seenByBob).toEqual([]);
      expect((await ok<{ members: User[] }>(bob, 'room:members', { room })).members).toEqual([
        bob.welcome.user,
      ]);
      expect(alice.connected).toBe(true);
      expect(await request(alice, 'room:members', { room })).toEqual(failure('FORBIDDEN'));
    });
  });

  describe('room names', () => {
    it.each([
      ['a single character', 'a'],
      ['every allowed kind of character', 'Az09_.:-'],
      ['64 characters', 'r'.repeat(64)],
      ['"user" not followed by a colon', 'users.lobby'],
      ['"user:" further in', 'team:user:1'],
    ])('accepts %s', async (_, room) => {
      const alice = await guest('alice');
      expect(await request(alice, 'room:join', { room })).toEqual({
        ok: true,
        data: expect.objectContaining({ room }) as unknown,
      });
    });

    it.each([
      ['an empty name', ''],
      ['65 characters', 'r'.repeat(65)],
      ['a space', 'the lobby'],
      ['a slash', 'lobby/1'],
      ['a non-ASCII letter', 'café'],
      ['a "#"', '#lobby'],
      ['the "user:" prefix', 'user:alice'],
      ['the bare "user:" prefix', 'user:'],
      ['a number', 42],
      ['null', null],
      ['nothing', undefined],
    ])('refuses %s with VALIDATION_FAILED for the field room', async (_, room) => {
      const alice = await guest('alice');
      expect(await request(alice, 'room:join', { room })).toEqual(validationFailure('room'));
    });

    it("refuses another user's private room", async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const seenByBob = collect(bob, 'room:joined');
      expect(await request(alice, 'room:join', { room: `user:${bob.welcome.user.id}` })).toEqual(
        validationFailure('room'),
      );
      await caughtUp(bob);
      expect(seenByBob).toEqual([]);
    });

    it.each([
      ['room:leave', {}],
      ['room:members', {}],
      ['chat:send', { text: 'hello' }],
      ['chat:typing', { typing: true }],
      ['chat:history', {}],
    ])('applies to %s too', async (event, rest) => {
      const alice = await guest('alice');
      expect(await request(alice, event, { room: 'user:alice', ...rest })).toEqual(
        validationFailure('room'),
      );
      expect(await request(alice, event, { room: 'the lobby', ...rest })).toEqual(
        validationFailure('room'),
      );
    });
  });

  describe('payloads that are not objects', () => {
    it.each([
      ['a string', 'lobby'],
      ['a number', 42],
      ['null', null],
      ['an array', [{ room: 'lobby' }]],
    ])('refuses %s with VALIDATION_FAILED and keeps the socket', async (_, payload) => {
      const alice = await guest('alice');
      expect(await request(alice, 'room:join', payload)).toEqual(
        validationFailure(expect.any(String)),
      );
      expect(alice.connected).toBe(true);
      await joined(alice, uniqueId('lobby'));
    });

    it('refuses a missing payload with VALIDATION_FAILED and keeps the socket', async () => {
      const alice = await guest('alice');
      expect(await request(alice, 'room:join')).toEqual(validationFailure(expect.any(String)));
      expect(alice.connected).toBe(true);
      await joined(alice, uniqueId('lobby'));
    });
  });

  describe('room:join with after', () => {
    it('returns the messages with offset > after as missed, oldest first', async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('lobby');
      await joined(alice, room);
      const messages = await sentInOrder(alice, room, 5);
      expect(await joined(bob, room, 2)).toEqual({
        room,
        members: expect.any(Array) as unknown,
        lastOffset: 5,
        missed: messages.slice(2),
        hasMore: false,
      });
    });

    it('returns every message for after 0', async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('lobby');
      await joined(alice, room);
      const messages = await sentInOrder(alice, room, 3);
      expect(await joined(bob, room, 0)).toMatchObject({ missed: messages, hasMore: false });
    });

    it('returns nothing when after is the newest offset or beyond', async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('lobby');
      await joined(alice, room);
      await sentInOrder(alice, room, 3);
      expect(await joined(bob, room, 3)).toMatchObject({
        lastOffset: 3,
        missed: [],
        hasMore: false,
      });
      expect(await joined(bob, room, 10)).toMatchObject({
        lastOffset: 3,
        missed: [],
        hasMore: false,
      });
    });

    it('returns nothing for an empty room', async () => {
      const alice = await guest('alice');
      const room = uniqueId('lobby');
      expect(await joined(alice, room, 0)).toMatchObject({
        lastOffset: 0,
        missed: [],
        hasMore: false,
      });
    });

    it('returns at most 100, with hasMore while more remain, and chat:history gives the rest', async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('busy');
      await joined(alice, room);
      await sentInOrder(alice, room, 120);

      const fromStart = await joined(bob, room, 0);
      expect(fromStart.lastOffset).toBe(120);
      expect(offsetsOf(fromStart.missed)).toEqual(offsetRange(1, 100));
      expect(fromStart.hasMore).toBe(true);
      const rest = await history(bob, { room, after: 100 });
      expect(offsetsOf(rest.messages)).toEqual(offsetRange(101, 120));
      expect(rest.hasMore).toBe(false);

      const oneTooMany = await joined(bob, room, 19);
      expect(offsetsOf(oneTooMany.missed)).toEqual(offsetRange(20, 119));
      expect(oneTooMany.hasMore).toBe(true);

      const exactlyAHundred = await joined(bob, room, 20);
      expect(offsetsOf(exactlyAHundred.missed)).toEqual(offsetRange(21, 120));
      expect(exactlyAHundred.hasMore).toBe(false);
    });

    it('lets a socket already in the room catch up by joining again with after', async () => {
      const room = uniqueId('lobby');
      const [alice, bob] = await guestsInRoom(room, 'alice', 'bob');
      const messages = await sentInOrder(alice, room, 4);
      expect(await joined(bob, room, 1)).toMatchObject({
        lastOffset: 4,
        missed: messages.slice(1),
        hasMore: false,
      });
    });

    it.each([
      ['a string', 'the start'],
      ['a fraction', 1.5],
    ])('refuses %s as after with VALIDATION_FAILED', async (_, after) => {
      const alice = await guest('alice');
      expect(await request(alice, 'room:join', { room: uniqueId('lobby'), after })).toEqual(
        validationFailure('after'),
      );
    });
  });

  describe('room:leave', () => {
    it('replies { room } and tells the others with room:left, reason "leave"', async () => {
      const room = uniqueId('lobby');
      const [alice, bob] = await guestsInRoom(room, 'alice', 'bob');
      const left = nextEvent(alice, 'room:left');
      const seenByBob = collect(bob, 'room:left');

      expect(await request(bob, 'room:leave', { room })).toEqual({ ok: true, data: { room } });

      expect(await left).toEqual({ room, user: bob.welcome.user, reason: 'leave' });
      await caughtUp(bob);
      expect(seenByBob).toEqual([]);
    });

    it('takes the socket out: no longer a member, no more messages, no more members', async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('lobby');
      const side = uniqueId('side');
      for (const socket of [alice, bob]) {
        await joined(socket, room);
        await joined(socket, side);
      }
      await ok(bob, 'room:leave', { room });
      const messagesToBob = collect<{ room: string }>(bob, 'chat:message');

      expect((await ok<{ members: User[] }>(alice, 'room:members', { room })).members).toEqual([
        alice.welcome.user,
      ]);
      expect(await request(bob, 'room:members', { room })).toEqual(failure('FORBIDDEN'));
      expect(await request(bob, 'chat:send', { room, text: 'still here?' })).toEqual(
        failure('FORBIDDEN'),
      );
      await sent(alice, room, 'bob left');
      const marker = nextEvent(bob, 'chat:message');
      await sent(alice, side, 'bob is still on this side');
      await marker;
      expect(messagesToBob.map((message) => message.room)).toEqual([side]);
    });

    it('replies NOT_FOUND for a room the socket never joined', async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('lobby');
      await joined(bob, room);
      const seenByBob = collect(bob, 'room:left');
      expect(await request(alice, 'room:leave', { room })).toEqual(failure('NOT_FOUND'));
      await caughtUp(bob);
      expect(seenByBob).toEqual([]);
    });

    it('replies NOT_FOUND for a room the socket has left already', async () => {
      const alice = await guest('alice');
      const room = uniqueId('lobby');
      await joined(alice, room);
      await ok(alice, 'room:leave', { room });
      expect(await request(alice, 'room:leave', { room })).toEqual(failure('NOT_FOUND'));
    });
  });

  describe('room:members', () => {
    it('replies { room, members } with every present user, the asker included', async () => {
      const [alice, bob, carol] = await Promise.all([guest('alice'), guest('bob'), guest('carol')]);
      const room = uniqueId('lobby');
      for (const socket of [alice, bob, carol]) await joined(socket, room);
      const reply = await ok<{ room: string; members: User[] }>(bob, 'room:members', { room });
      expect(reply).toEqual({ room, members: expect.any(Array) as unknown });
      expect(sortedById(reply.members)).toEqual(
        sortedById([alice.welcome.user, bob.welcome.user, carol.welcome.user]),
      );
    });

    it('replies FORBIDDEN when the socket is not in the room', async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const room = uniqueId('lobby');
      await joined(bob, room);
      expect(await request(alice, 'room:members', { room })).toEqual(failure('FORBIDDEN'));
    });

    it('drops a member whose socket disconnected, telling the others with reason "disconnect"', async () => {
      const room = uniqueId('lobby');
      const [alice, bob] = await guestsInRoom(room, 'alice', 'bob');
      const left = nextEvent(alice, 'room:left');
      bob.disconnect();
      expect(await left).toEqual({ room, user: bob.welcome.user, reason: 'disconnect' });
      expect((await ok<{ members: User[] }>(alice, 'room:members', { room })).members).toEqual([
        alice.welcome.user,
      ]);
    });
  });

  describe('presence per user', () => {
    it('counts a user with two tabs in the room as one member', async () => {
      const alice = newUser('Alice');
      const [firstTab, secondTab] = await twoTabsOf(server.url, alice);
      const bob = await guest('bob');
      const room = uniqueId('lobby');
      await joined(firstTab, room);
      expect((await joined(secondTab, room)).members).toEqual([alice]);
      const { members } = await joined(bob, room);
      expect(sortedById(members)).toEqual(sortedById([alice, bob.welcome.user]));
    });

    it('sends room:joined only when the first tab joins', async () => {
      const alice = newUser('Alice');
      const [firstTab, secondTab] = await twoTabsOf(server.url, alice);
      const bob = await guest('bob');
      const room = uniqueId('lobby');
      await joined(bob, room);
      const announced = nextEvent(bob, 'room:joined');
      await joined(firstTab, room);
      expect(await announced).toEqual({ room, user: alice });

      const seenByBob = collect(bob, 'room:joined');
      await joined(secondTab, room);
      await caughtUp(bob);
      expect(seenByBob).toEqual([]);
    });

    it('sends room:left with reason "leave" only when the last tab leaves', async () => {
      const alice = newUser('Alice');
      const [firstTab, secondTab] = await twoTabsOf(server.url, alice);
      const bob = await guest('bob');
      const room = uniqueId('lobby');
      for (const socket of [bob, firstTab, secondTab]) await joined(socket, room);
      const seenByBob = collect(bob, 'room:left');

      expect(await request(firstTab, 'room:leave', { room })).toEqual({ ok: true, data: { room } });
      await caughtUp(bob);
      expect(seenByBob).toEqual([]);
      const { members } = await ok<{ members: User[] }>(bob, 'room:members', { room });
      expect(sortedById(members)).toEqual(sortedById([alice, bob.welcome.user]));
      // Membership is per socket: the tab that left is out, the other is still in.
      expect(await request(firstTab, 'room:members', { room })).toEqual(failure('FORBIDDEN'));
      await sent(secondTab, room, 'still here');

      const left = nextEvent(bob, 'room:left');
      await ok(secondTab, 'room:leave', { room });
      expect(await left).toEqual({ room, user: alice, reason: 'leave' });
      await caughtUp(bob);
      expect(seenByBob).toHaveLength(1);
    });

    it('sends room:left with reason "disconnect" only when the last tab disconnects', async () => {
      const alice = newUser('Alice');
      const [firstTab, secondTab] = await twoTabsOf(server.url, alice);
      const bob = await guest('bob');
      const room = uniqueId('lobby');
      // Only the first tab is in `side`: its room:left there marks that the server has handled
      // the first tab's disconnection, after which nothing about `room` may have been sent.
      const side = uniqueId('side');
      for (const socket of [bob, firstTab, secondTab]) await joined(socket, room);
      await joined(bob, side);
      await joined(firstTab, side);
      const seenByBob = collect(bob, 'room:left');

      const leftSide = nextEvent(bob, 'room:left');
      firstTab.disconnect();
      expect(await leftSide).toEqual({ room: side, user: alice, reason: 'disconnect' });
      await caughtUp(bob);
      const { members } = await ok<{ members: User[] }>(bob, 'room:members', { room });
      expect(sortedById(members)).toEqual(sortedById([alice, bob.welcome.user]));

      const leftRoom = nextEvent(bob, 'room:left');
      secondTab.disconnect();
      expect(await leftRoom).toEqual({ room, user: alice, reason: 'disconnect' });
      await caughtUp(bob);
      expect(seenByBob).toEqual([
        { room: side, user: alice, reason: 'disconnect' },
        { room, user: alice, reason: 'disconnect' },
      ]);
    });
  });

  describe('failures without an acknowledgement', () => {
    it('answers with the error event { event, code, message, details } on that socket only', async () => {
      const [alice, bob] = await Promise.all([guest('alice'), guest('bob')]);
      const errorsToBob = collect(bob, 'error');
      const error = nextEvent<ErrorEvent>(alice, 'error');
      alice.emit('room:join', { room: 'user:bob' });
      expect(await error).toEqual({
        event: 'room:join',
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: [{ field: 'room', problems: expect.arrayContaining([expect.any(String)]) }],
      });
      await caughtUp(bob);
      expect(errorsToBob).toEqual([]);
      expect(alice.connected).toBe(true);
    });

    it('answers a refused room:leave with the error event NOT_FOUND', async () => {
      const alice = await guest('alice');
      const room = uniqueId('lobby');
      const error = nextEvent<ErrorEvent>(alice, 'error');
      alice.emit('room:leave', { room });
      expect(await error).toEqual({
        event: 'room:leave',
        code: 'NOT_FOUND',
        message: expect.any(String),
      });
    });
  });
});

describe('rooms with ROOM_MAX_PER_SOCKET', () => {
  const server = useServer({ ROOM_MAX_PER_SOCKET: '2', AUTH_JWT_SECRET: TEST_JWT_SECRET });
  afterEach(() => closeAllClients());

  it('replies FORBIDDEN to one join more than the limit, and changes nothing', async () => {
    const [alice, bob] = await Promise.all([
      connectAs(server.url, 'alice'),
      connectAs(server.url, 'bob'),
    ]);
    const [first, second, third] = [uniqueId('one'), uniqueId('two'), uniqueId('three')];
    await joined(alice, first);
    await joined(alice, second);
    await joined(bob, third);
    const seenByBob = collect(bob, 'room:joined');

    expect(await request(alice, 'room:join', { room: third })).toEqual(failure('FORBIDDEN'));

    await caughtUp(bob);
    expect(seenByBob).toEqual([]);
    expect(await request(alice, 'room:members', { room: third })).toEqual(failure('FORBIDDEN'));
    expect((await ok<{ members: User[] }>(bob, 'room:members', { room: third })).members).toEqual([
      bob.welcome.user,
    ]);
  });

  it('still lets the socket join a room it is in', async () => {
    const alice = await connectAs(server.url, 'alice');
    const [first, second] = [uniqueId('one'), uniqueId('two')];
    await joined(alice, first);
    await joined(alice, second);
    expect(await joined(alice, first)).toMatchObject({ room: first });
  });

  it('frees a place when the socket leaves a room', async () => {
    const alice = await connectAs(server.url, 'alice');
    const [first, second, third] = [uniqueId('one'), uniqueId('two'), uniqueId('three')];
    await joined(alice, first);
    await joined(alice, second);
    await ok(alice, 'room:leave', { room: first });
    expect(await joined(alice, third)).toMatchObject({ room: third });
  });

  it('counts per socket: another socket of the same user has its own limit', async () => {
    const [firstTab, secondTab] = await twoTabsOf(server.url, newUser('Alice'));
    const [first, second, third] = [uniqueId('one'), uniqueId('two'), uniqueId('three')];
    await joined(firstTab, first);
    await joined(firstTab, second);
    await joined(secondTab, third);
    expect(await joined(secondTab, first)).toMatchObject({ room: first });
  });

  it('holds when the joins arrive at the same time', async () => {
    const alice = await connectAs(server.url, 'alice');
    const rooms = [uniqueId('one'), uniqueId('two'), uniqueId('three'), uniqueId('four')];
    const replies = await Promise.all(rooms.map((room) => request(alice, 'room:join', { room })));
    expect(replies.filter((reply) => reply.ok)).toHaveLength(2);
    expect(replies.filter((reply) => !reply.ok)).toEqual([
      failure('FORBIDDEN'),
      failure('FORBIDDEN'),
    ]);
  });
});
