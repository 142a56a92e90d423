import type { Notification } from '@switchboard/contract';
import {
  closeAllClients,
  collect,
  connect,
  nextNotification,
  ok,
  request,
  type TestClient,
} from './support/clients.js';
import { connectAdmin, connectWithToken, uniqueId } from './support/identities.js';
import { closeInboxClients, connectWithInbox } from './support/inbox.js';
import { caughtUp, inCommonRoom } from './support/rooms.js';
import { useServer } from './support/server.js';
import { signToken, TEST_JWT_SECRET } from './support/tokens.js';

interface Sent {
  id: string;
  recipients: number;
}

const SERVER_ENV = { AUTH_JWT_SECRET: TEST_JWT_SECRET, NOTIFY_ACK_TIMEOUT_MS: '500' };

/** `{ a: { a: … } }`, `levels` objects deep. */
function nested(levels: number): object {
  let value: object = {};
  for (let level = 1; level < levels; level += 1) value = { a: value };
  return value;
}

function send(socket: TestClient, payload: Record<string, unknown>) {
  return ok<Sent>(socket, 'notification:send', payload);
}

describe('notification:send', () => {
  const server = useServer(SERVER_ENV);
  afterEach(() => closeAllClients());

  describe('to { userId }', () => {
    it('reaches every socket of the user, and recipients counts them', async () => {
      const erinId = uniqueId('erin');
      const tabs = await Promise.all(
        [1, 2, 3].map(() => connectWithToken(server.url, { sub: erinId, name: 'Erin' })),
      );
      const sender = await connect(server.url, { name: 'frank' });
      await inCommonRoom(sender, ...tabs);

      const received = Promise.all(tabs.map((tab) => nextNotification(tab)));
      const sent = await send(sender, {
        target: { userId: erinId },
        title: 'Build',
        body: 'green',
      });

      expect(sent).toEqual({ id: expect.any(String), recipients: 3 });
      expect((await received).map((notification) => notification.id)).toEqual([
        sent.id,
        sent.id,
        sent.id,
      ]);
    });

    it('reaches nobody else', async () => {
      const erin = await connectWithToken(server.url, { sub: uniqueId('erin'), name: 'Erin' });
      const bystander = await connect(server.url, { name: 'grace' });
      const sender = await connect(server.url, { name: 'frank' });
      await inCommonRoom(sender, erin, bystander);
      const seenByBystander = collect<Notification>(bystander, 'notification');

      const received = nextNotification(erin);
      await send(sender, { target: { userId: erin.welcome.user.id }, title: 'Hi', body: 'Erin' });
      await received;
      await caughtUp(bystander);

      expect(seenByBystander).toEqual([]);
    });

    it('replies with 0 recipients when the user has no socket', async () => {
      const sender = await connectAdmin(server.url);
      const sent = await send(sender, {
        target: { userId: uniqueId('offline') },
        title: 'Later',
        body: 'you were away',
      });
      expect(sent).toEqual({ id: expect.any(String), recipients: 0 });
    });

    it('delivers { id, title, body, data, ts, from } with the sender as from', async () => {
      const erin = await connectWithToken(server.url, { sub: uniqueId('erin'), name: 'Erin' });
      const frank = await connectWithToken(server.url, { sub: uniqueId('frank'), name: 'Frank' });
      await inCommonRoom(erin, frank);
      const data = { orderId: 42, lines: [{ sku: 'A-1', quantity: 2 }], gift: false };

      const received = nextNotification(erin);
      const before = Date.now();
      const sent = await send(frank, {
        target: { userId: erin.welcome.user.id },
        title: 'Order shipped',
        body: 'Your order is on its way',
        data,
      });

      const notification = await received;
      expect(notification).toEqual({
        id: sent.id,
        title: 'Order shipped',
        body: 'Your order is on its way',
        data,
        ts: expect.any(Number),
        from: { id: frank.welcome.user.id, name: 'Frank' },
      });
      expect(notification.ts).toBeGreaterThanOrEqual(before);
      expect(notification.ts).toBeLessThanOrEqual(Date.now());
    });

    it('leaves data out when none was given', async () => {
      const erin = await connectWithToken(server.url, { sub: uniqueId('erin'), name: 'Erin' });
      const sender = await connect(server.url, { name: 'frank' });
      await inCommonRoom(erin, sender);

      const received = nextNotification(erin);
      await send(sender, { target: { userId: erin.welcome.user.id }, title: 'Ping', body: 'pong' });

      expect(Object.keys(await received).sort()).toEqual(['body', 'from', 'id', 'title', 'ts']);
    });

    it('gives each notification its own id', async () => {
      const sender = await connectAdmin(server.url);
      const target = { userId: uniqueId('offline') };
      const first = await send(sender, { target, title: 'One', body: '1' });
      const second = await send(sender, { target, title: 'One', body: '1' });
      expect(first.id).not.toBe(second.id);
    });
  });

  describe('to { room }', () => {
    it('replies FORBIDDEN when the sender is not in the room', async () => {
      const room = uniqueId('room');
      const member = await connect(server.url, { name: 'member' });
      await ok(member, 'room:join', { room });
      const outsider = await connect(server.url, { name: 'outsider' });
      const seenByMember = collect<Notification>(member, 'notification');

      const reply = await request(outsider, 'notification:send', {
        target: { room },
        title: 'Hi',
        body: 'all of you',
      });

      expect(reply).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: expect.any(String) },
      });
      await caughtUp(member);
      expect(seenByMember).toEqual([]);
    });

    it('reaches every socket in the room, the sender’s included, and nobody outside it', async () => {
      const room = uniqueId('room');
      const sender = await connect(server.url, { name: 'sender' });
      const members = [sender, ...(await Promise.all(['a', 'b'].map((name) => connectAs(name))))];
      for (const member of members) await ok(member, 'room:join', { room });
      const outsider = await connect(server.url, { name: 'outsider' });
      const seenByOutsider = collect<Notification>(outsider, 'notification');

      const received = Promise.all(members.map((member) => nextNotification(member)));
      const sent = await send(sender, { target: { room }, title: 'Standup', body: 'now' });

      expect(sent.recipients).toBe(3);
      const notifications = await received;
      expect(notifications.map((notification) => notification.id)).toEqual([
        sent.id,
        sent.id,
        sent.id,
      ]);
      expect(notifications[0]).toMatchObject({ title: 'Standup', from: sender.welcome.user });
      await caughtUp(outsider);
      expect(seenByOutsider).toEqual([]);
    });
  });

  describe('to { all: true }', () => {
    it('replies FORBIDDEN to a user without the admin role', async () => {
      const user = await connectWithToken(server.url, {
        sub: uniqueId('user'),
        name: 'User',
        roles: ['editor'],
      });
      const reply = await request(user, 'notification:send', {
        target: { all: true },
        title: 'Hello',
        body: 'everyone',
      });
      expect(reply).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: expect.any(String) },
      });
    });

    it('replies FORBIDDEN to a guest', async () => {
      const guest = await connect(server.url, { name: 'guest' });
      const reply = await request(guest, 'notification:send', {
        target: { all: true },
        title: 'Hello',
        body: 'everyone',
      });
      expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    });
  });

  describe('validation', () => {
    const valid = { target: { userId: 'someone' }, title: 'Title', body: 'Body' };

    it.each([
      ['an empty title', { ...valid, title: '' }, 'title'],
      ['a title of 201 characters', { ...valid, title: 'x'.repeat(201) }, 'title'],
      ['a missing title', { target: valid.target, body: 'Body' }, 'title'],
      ['a title that is not a string', { ...valid, title: 7 }, 'title'],
      ['an empty body', { ...valid, body: '' }, 'body'],
      ['a body of 2001 characters', { ...valid, body: 'x'.repeat(2001) }, 'body'],
      ['data that is a string', { ...valid, data: 'text' }, 'data'],
      ['data that is an array', { ...valid, data: [1, 2] }, 'data'],
      ['a missing target', { title: 'Title', body: 'Body' }, 'target'],
      ['an empty target', { ...valid, target: {} }, 'target'],
      ['a target of two kinds', { ...valid, target: { userId: 'u', room: 'r' } }, 'target'],
      [
        'a target of three kinds',
        { ...valid, target: { userId: 'u', room: 'r', all: true } },
        'target',
      ],
      ['{ all: false }', { ...valid, target: { all: false } }, 'target'],
      ['an empty userId', { ...valid, target: { userId: '' } }, 'target'],
      ['a private user: room', { ...valid, target: { room: 'user:someone' } }, 'target'],
      ['data over 8 KiB as JSON', { ...valid, data: { blob: 'x'.repeat(8 * 1024) } }, 'data'],
      ['data nested 40 levels deep', { ...valid, data: nested(40) }, 'payload'],
      ['data nested 1000 levels deep', { ...valid, data: nested(1000) }, 'payload'],
    ])('replies VALIDATION_FAILED for %s', async (_what, payload, field) => {
      const sender = await connect(server.url, { name: 'frank' });
      const reply = await request(sender, 'notification:send', payload);
      expect(reply).toEqual({
        ok: false,
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.any(String),
          details: expect.arrayContaining([
            {
              field: expect.stringMatching(new RegExp(`^${field}`)),
              problems: expect.arrayContaining([expect.any(String)]),
            },
          ]),
        },
      });
    });

    it('replies VALIDATION_FAILED for a payload that is not an object', async () => {
      const sender = await connect(server.url, { name: 'frank' });
      const reply = await request(sender, 'notification:send', 'hello');
      expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    });

    it('accepts a title of 200 and a body of 2000 characters', async () => {
      const sender = await connectAdmin(server.url);
      const reply = await request(sender, 'notification:send', {
        ...valid,
        title: 'x'.repeat(200),
        body: 'y'.repeat(2000),
      });
      expect(reply).toEqual({ ok: true, data: { id: expect.any(String), recipients: 0 } });
    });

    it('counts characters, not UTF-16 code units', async () => {
      const sender = await connectAdmin(server.url);
      const reply = await request(sender, 'notification:send', {
        ...valid,
        title: '🔔'.repeat(200),
      });
      expect(reply).toMatchObject({ ok: true });
    });
  });

  function connectAs(name: string) {
    return connect(server.url, { name });
  }
});

/**
 * `{ userId }` needs the sender and that user present in a common room (or the admin role): a
 * stranger must not reach a user's devices, fill their pending notifications, or learn whether a
 * user id exists or is online.
 */
describe('notification:send to { userId } from a stranger', () => {
  const server = useServer(SERVER_ENV);
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });
  const phishing = { title: 'Your account is locked', body: 'sign in at evil.example' };

  it('replies FORBIDDEN to a guest who shares no room with the user, and keeps nothing for them', async () => {
    const victimId = uniqueId('victim');
    const guest = await connect(server.url, { name: 'mallory' });

    const reply = await request(guest, 'notification:send', {
      target: { userId: victimId },
      ...phishing,
    });

    expect(reply).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    await expectNothingPendingFor(victimId);
  });

  it('replies alike whether the user is online in another room, offline or unknown', async () => {
    const victim = await connectWithToken(server.url, { sub: uniqueId('victim'), name: 'Vic' });
    const guest = await connect(server.url, { name: 'mallory' });
    await inCommonRoom(victim, await connect(server.url, { name: 'friend' }));
    await inCommonRoom(guest);
    const seenByVictim = collect<Notification>(victim, 'notification');

    const replies = await Promise.all(
      [victim.welcome.user.id, uniqueId('unknown')].map((userId) =>
        request(guest, 'notification:send', { target: { userId }, ...phishing }),
      ),
    );

    expect(replies[0]).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(replies[1]).toEqual(replies[0]);
    await caughtUp(victim);
    expect(seenByVictim).toEqual([]);
  });

  it('lets a user who shares a room with the user notify them', async () => {
    const friendId = uniqueId('friend');
    const friend = await connectWithInbox(server.url, {
      token: await signToken({ sub: friendId, name: 'Friend' }),
    });
    const sender = await connect(server.url, { name: 'guest' });
    await inCommonRoom(friend, sender);

    const sent = await send(sender, { target: { userId: friendId }, title: 'Hi', body: 'there' });

    expect(sent.recipients).toBe(1);
    expect((await friend.inbox.take()).id).toBe(sent.id);
  });

  it('lets the admin role notify a user who is offline, who gets it on connection', async () => {
    const userId = uniqueId('offline');
    const sent = await send(await connectAdmin(server.url), {
      target: { userId },
      title: 'Welcome',
      body: 'back',
    });

    const user = await connectUser(userId);
    expect((await user.inbox.take()).id).toBe(sent.id);
  });

  async function connectUser(userId: string) {
    return connectWithInbox(server.url, { token: await signToken({ sub: userId, name: 'User' }) });
  }

  /** The first notification a new connection of the user gets is a fresh one from an admin. */
  async function expectNothingPendingFor(userId: string) {
    const user = await connectUser(userId);
    const fresh = await send(await connectAdmin(server.url), {
      target: { userId },
      title: 'fresh',
      body: 'fresh',
    });
    expect((await user.inbox.take()).id).toBe(fresh.id);
  }
});

describe('notification:send to { userId } with ROOMS_REQUIRE_GRANT', () => {
  const server = useServer({ ...SERVER_ENV, ROOMS_REQUIRE_GRANT: 'true' });
  afterEach(() => closeAllClients());

  it('replies FORBIDDEN to a guest, who can share no room with anyone', async () => {
    const victim = await connectWithToken(server.url, { sub: uniqueId('victim'), name: 'Vic' });
    const guest = await connect(server.url, { name: 'mallory' });

    const reply = await request(guest, 'notification:send', {
      target: { userId: victim.welcome.user.id },
      title: 'Hi',
      body: 'there',
    });

    expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('notification:send to { all: true } from an admin', () => {
  const server = useServer(SERVER_ENV);
  afterEach(() => closeAllClients());

  it('reaches every connected socket, the admin’s included', async () => {
    const admin = await connectWithToken(server.url, {
      sub: uniqueId('admin'),
      name: 'Admin',
      roles: ['admin'],
    });
    const others = await Promise.all(['a', 'b', 'c'].map((name) => connect(server.url, { name })));
    const everyone = [admin, ...others];

    const received = Promise.all(everyone.map((socket) => nextNotification(socket)));
    const sent = await send(admin, { target: { all: true }, title: 'Maintenance', body: 'at 6' });

    expect(sent.recipients).toBe(4);
    expect((await received).map((notification) => notification.id)).toEqual(
      everyone.map(() => sent.id),
    );
  });
});
