import type { ErrorEvent, Message, MessagePage } from '@switchboard/contract';
import {
  closeAllClients,
  collect,
  connectAs,
  nextEvent,
  ok,
  request,
  type TestClient,
} from './support/clients.js';
import { uniqueId } from './support/identities.js';
import {
  caughtUp,
  failure,
  guestsIn,
  history,
  joined,
  newUser,
  nextEvents,
  offsetRange,
  offsetsOf,
  ROOMS_TEST_ENV,
  sent,
  sentInOrder,
  twoTabsOf,
  validationFailure,
} from './support/rooms.js';
import { useServer } from './support/server.js';

describe('chat', () => {
  const server = useServer(ROOMS_TEST_ENV);
  afterEach(() => closeAllClients());

  const guest = (name: string) => connectAs(server.url, name);
  const guestsInRoom = (room: string, ...names: string[]) => guestsIn(server.url, room, ...names);

  describe('chat:send', () => {
    it('replies with the stored Message: id, room, offset, user, trimmed text and ts', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const before = Date.now();
      const reply = await request<Message>(alice, 'chat:send', { room, text: '  hello\n\t' });
      expect(reply).toEqual({
        ok: true,
        data: {
          id: expect.any(String),
          room,
          offset: 1,
          user: alice.welcome.user,
          text: 'hello',
          ts: expect.any(Number),
        },
      });
      if (!reply.ok) return;
      expect(reply.data).not.toHaveProperty('clientMsgId');
      expect(reply.data.id).not.toBe('');
      expect(reply.data.ts).toBeGreaterThanOrEqual(before);
      expect(reply.data.ts).toBeLessThanOrEqual(Date.now());
    });

    it('includes the clientMsgId when one is given', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      expect(await sent(alice, room, 'hello', 'msg-1')).toMatchObject({
        text: 'hello',
        clientMsgId: 'msg-1',
      });
    });

    it('gives each message its own id', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const messages = await sentInOrder(alice, room, 5);
      expect(new Set(messages.map((message) => message.id)).size).toBe(5);
    });

    it('sends chat:message with the Message to the others in the room, not to the sender', async () => {
      const room = uniqueId('chat');
      const [alice, bob, carol] = await guestsInRoom(room, 'alice', 'bob', 'carol');
      const toBob = nextEvent<Message>(bob, 'chat:message');
      const toCarol = nextEvent<Message>(carol, 'chat:message');
      const toAlice = collect<Message>(alice, 'chat:message');

      const message = await sent(alice, room, '  hello  ');

      expect(await toBob).toEqual(message);
      expect(await toCarol).toEqual(message);
      await caughtUp(alice);
      expect(toAlice).toEqual([]);
    });

    it("sends chat:message to the sender's other tab in the room", async () => {
      const alice = newUser('Alice');
      const [firstTab, secondTab] = await twoTabsOf(server.url, alice);
      const room = uniqueId('chat');
      await joined(firstTab, room);
      await joined(secondTab, room);
      const toSecondTab = nextEvent<Message>(secondTab, 'chat:message');
      const message = await sent(firstTab, room, 'from the first tab');
      expect(await toSecondTab).toEqual(message);
      expect(message.user).toEqual(alice);
    });

    it('sends nothing to sockets outside the room', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const outsider = await guest('outsider');
      await joined(outsider, uniqueId('elsewhere'));
      const toOutsider = collect(outsider, 'chat:message');
      await sent(alice, room, 'hello');
      await caughtUp(outsider);
      expect(toOutsider).toEqual([]);
    });

    it('replies FORBIDDEN when the sender is not in the room, and stores and sends nothing', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const mallory = await guest('mallory');
      const toAlice = collect(alice, 'chat:message');

      expect(await request(mallory, 'chat:send', { room, text: 'let me in' })).toEqual(
        failure('FORBIDDEN'),
      );

      await caughtUp(alice);
      expect(toAlice).toEqual([]);
      expect((await sent(alice, room, 'first')).offset).toBe(1);
    });

    it.each([
      ['empty', ''],
      ['only whitespace', ' \n\t  '],
      ['over 4000 characters', 'x'.repeat(4001)],
      ['over 4000 characters once trimmed', ` ${'x'.repeat(4001)} `],
      ['a number', 42],
      ['null', null],
      ['missing', undefined],
    ])('refuses text that is %s with VALIDATION_FAILED', async (_, text) => {
      const room = uniqueId('chat');
      const [alice, bob] = await guestsInRoom(room, 'alice', 'bob');
      const toBob = collect(bob, 'chat:message');
      expect(await request(alice, 'chat:send', { room, text })).toEqual(validationFailure('text'));
      await caughtUp(bob);
      expect(toBob).toEqual([]);
    });

    it('accepts 4000 characters of text, counted after trimming', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const text = 'x'.repeat(4000);
      expect((await sent(alice, room, `  ${text}\n`)).text).toBe(text);
    });

    it.each([
      ['over 64 characters', 'c'.repeat(65)],
      ['empty', ''],
      ['a number', 7],
    ])('refuses a clientMsgId that is %s with VALIDATION_FAILED', async (_, clientMsgId) => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      expect(await request(alice, 'chat:send', { room, text: 'hello', clientMsgId })).toEqual(
        validationFailure('clientMsgId'),
      );
    });

    it('accepts a clientMsgId of 64 characters', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const clientMsgId = 'c'.repeat(64);
      expect((await sent(alice, room, 'hello', clientMsgId)).clientMsgId).toBe(clientMsgId);
    });
  });

  describe('offsets', () => {
    it('start at 1 and grow by exactly 1 with each message, per room', async () => {
      const room = uniqueId('chat');
      const [alice, bob] = await guestsInRoom(room, 'alice', 'bob');
      const otherRoom = uniqueId('chat');
      await joined(bob, otherRoom);

      const offsets = [
        (await sent(alice, room, 'one')).offset,
        (await sent(bob, room, 'two')).offset,
        (await sent(bob, otherRoom, 'elsewhere')).offset,
        (await sent(alice, room, 'three')).offset,
      ];

      expect(offsets).toEqual([1, 2, 1, 3]);
      expect((await joined(alice, room)).lastOffset).toBe(3);
    });

    it('stay gapless and unique under 50 concurrent sends from several sockets', async () => {
      const room = uniqueId('chat');
      const [listener, ...senders] = await guestsInRoom(
        room,
        'listener',
        's1',
        's2',
        's3',
        's4',
        's5',
      );
      const toListener = nextEvents<Message>(listener, 'chat:message', 50);
      const toSenders = senders.map((sender) => nextEvents<Message>(sender, 'chat:message', 40));

      const replies = await Promise.all(
        senders.flatMap((sender, senderIndex) =>
          Array.from({ length: 10 }, (_, index) => sent(sender, room, `${senderIndex}/${index}`)),
        ),
      );

      expect(offsetsOf(replies).sort((a, b) => a - b)).toEqual(offsetRange(1, 50));
      expect(new Set(replies.map((message) => message.id)).size).toBe(50);
      // Everyone sees the messages in offset order, so that a gap means a missed message.
      expect(offsetsOf(await toListener)).toEqual(offsetRange(1, 50));
      const received = await Promise.all(toSenders);
      await Promise.all(senders.map(caughtUp));
      senders.forEach((sender, senderIndex) => {
        expect(received[senderIndex].map((message) => message.user.id)).not.toContain(
          sender.welcome.user.id,
        );
      });
      const stored = await history(listener, { room, limit: 100 });
      expect(offsetsOf(stored.messages)).toEqual(offsetRange(1, 50));
    });
  });

  describe('chat:send with clientMsgId (safe retries)', () => {
    it('returns the first message for a retry and broadcasts nothing', async () => {
      const room = uniqueId('chat');
      const [alice, bob] = await guestsInRoom(room, 'alice', 'bob');
      const toBob = collect<Message>(bob, 'chat:message');
      const first = await sent(alice, room, 'hello', 'msg-1');

      expect(
        await request(alice, 'chat:send', { room, text: 'hello', clientMsgId: 'msg-1' }),
      ).toEqual({ ok: true, data: first });

      await caughtUp(bob);
      expect(toBob).toEqual([first]);
      expect((await sent(alice, room, 'next')).offset).toBe(2);
    });

    it('returns the first message for a retry from another socket of the same user', async () => {
      const alice = newUser('Alice');
      const [firstTab, secondTab] = await twoTabsOf(server.url, alice);
      const room = uniqueId('chat');
      await joined(firstTab, room);
      await joined(secondTab, room);
      const first = await sent(firstTab, room, 'hello', 'msg-1');
      expect(await sent(secondTab, room, 'hello', 'msg-1')).toEqual(first);
    });

    it('replies CONFLICT for the same clientMsgId with a different text, and stores nothing', async () => {
      const room = uniqueId('chat');
      const [alice, bob] = await guestsInRoom(room, 'alice', 'bob');
      const toBob = collect<Message>(bob, 'chat:message');
      const first = await sent(alice, room, 'hello', 'msg-1');

      expect(
        await request(alice, 'chat:send', { room, text: 'goodbye', clientMsgId: 'msg-1' }),
      ).toEqual(failure('CONFLICT'));

      await caughtUp(bob);
      expect(toBob).toEqual([first]);
      expect((await history(alice, { room })).messages).toEqual([first]);
    });

    it('stores a new message for the same clientMsgId from a different user', async () => {
      const room = uniqueId('chat');
      const [alice, bob] = await guestsInRoom(room, 'alice', 'bob');
      const first = await sent(alice, room, 'hello', 'msg-1');
      const toAlice = nextEvent<Message>(alice, 'chat:message');
      const second = await sent(bob, room, 'hello', 'msg-1');
      expect(second).toMatchObject({ offset: 2, user: bob.welcome.user, clientMsgId: 'msg-1' });
      expect(second.id).not.toBe(first.id);
      expect(await toAlice).toEqual(second);
    });

    it('stores a new message for the same clientMsgId in another room', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const otherRoom = uniqueId('chat');
      await joined(alice, otherRoom);
      await sentInOrder(alice, room, 2);
      const first = await sent(alice, room, 'hello', 'msg-1');
      const elsewhere = await sent(alice, otherRoom, 'hello', 'msg-1');
      expect(elsewhere).toMatchObject({ room: otherRoom, offset: 1 });
      expect(elsewhere.id).not.toBe(first.id);
    });
  });

  describe('chat:typing', () => {
    it('replies {} and sends chat:typing { room, user, typing } to the others, not the sender', async () => {
      const room = uniqueId('chat');
      const [alice, bob] = await guestsInRoom(room, 'alice', 'bob');
      const toAlice = collect(alice, 'chat:typing');

      const started = nextEvent(bob, 'chat:typing');
      expect(await request(alice, 'chat:typing', { room, typing: true })).toEqual({
        ok: true,
        data: {},
      });
      expect(await started).toEqual({ room, user: alice.welcome.user, typing: true });

      const stopped = nextEvent(bob, 'chat:typing');
      await ok(alice, 'chat:typing', { room, typing: false });
      expect(await stopped).toEqual({ room, user: alice.welcome.user, typing: false });

      await caughtUp(alice);
      expect(toAlice).toEqual([]);
    });

    it('replies FORBIDDEN when the socket is not in the room, and sends nothing', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const mallory = await guest('mallory');
      const toAlice = collect(alice, 'chat:typing');
      expect(await request(mallory, 'chat:typing', { room, typing: true })).toEqual(
        failure('FORBIDDEN'),
      );
      await caughtUp(alice);
      expect(toAlice).toEqual([]);
    });

    it.each([
      ['a string', 'yes'],
      ['missing', undefined],
    ])('refuses typing that is %s with VALIDATION_FAILED', async (_, typing) => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      expect(await request(alice, 'chat:typing', { room, typing })).toEqual(
        validationFailure('typing'),
      );
    });
  });

  describe('chat:history', () => {
    const MESSAGES = 120;
    let busyRoom: string;
    let stored: Message[];
    beforeAll(async () => {
      busyRoom = uniqueId('busy');
      const writer = await guest('writer');
      await joined(writer, busyRoom);
      stored = await sentInOrder(writer, busyRoom, MESSAGES);
    });

    async function reader(): Promise<TestClient> {
      const socket = await guest('reader');
      await joined(socket, busyRoom);
      return socket;
    }

    it('gives the latest 50 by default, oldest first, with hasMore for the older ones', async () => {
      const socket = await reader();
      expect(await history(socket, { room: busyRoom })).toEqual({
        messages: stored.slice(MESSAGES - 50),
        hasMore: true,
      });
    });

    it('gives the latest `limit` messages', async () => {
      const socket = await reader();
      const hundred = await history(socket, { room: busyRoom, limit: 100 });
      expect(offsetsOf(hundred.messages)).toEqual(offsetRange(21, 120));
      expect(hundred.hasMore).toBe(true);
      expect(await history(socket, { room: busyRoom, limit: 1 })).toEqual({
        messages: [stored[MESSAGES - 1]],
        hasMore: true,
      });
    });

    it('gives every message with hasMore false when they fit in `limit`', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const messages = await sentInOrder(alice, room, 3);
      expect(await history(alice, { room })).toEqual({ messages, hasMore: false });
      expect(await history(alice, { room, limit: 3 })).toEqual({ messages, hasMore: false });
      expect(await history(alice, { room, limit: 2 })).toEqual({
        messages: messages.slice(1),
        hasMore: true,
      });
    });

    it('gives nothing for an empty room', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      expect(await history(alice, { room })).toEqual({ messages: [], hasMore: false });
      expect(await history(alice, { room, after: 0 })).toEqual({ messages: [], hasMore: false });
      expect(await history(alice, { room, before: 1 })).toEqual({ messages: [], hasMore: false });
    });

    it('pages forward with after: the first `limit` newer messages, hasMore while newer remain', async () => {
      const socket = await reader();
      const pages: MessagePage[] = [];
      let after = 0;
      for (;;) {
        const page = await history(socket, { room: busyRoom, after, limit: 50 });
        pages.push(page);
        if (!page.hasMore) break;
        after = page.messages[page.messages.length - 1].offset;
      }
      expect(pages.map((page) => [offsetsOf(page.messages), page.hasMore])).toEqual([
        [offsetRange(1, 50), true],
        [offsetRange(51, 100), true],
        [offsetRange(101, 120), false],
      ]);
      expect(pages.flatMap((page) => page.messages)).toEqual(stored);
    });

    it('says exactly whether newer messages remain after a page', async () => {
      const socket = await reader();
      const page = (after: number, limit: number) =>
        history(socket, { room: busyRoom, after, limit });
      expect(await page(70, 50)).toEqual({ messages: stored.slice(70), hasMore: false });
      expect(await page(69, 50)).toEqual({ messages: stored.slice(69, 119), hasMore: true });
      expect(await page(119, 1)).toEqual({ messages: [stored[119]], hasMore: false });
      expect(await page(118, 1)).toEqual({ messages: [stored[118]], hasMore: true });
      expect(await page(120, 50)).toEqual({ messages: [], hasMore: false });
    });

    it('uses the default limit of 50 with after', async () => {
      const socket = await reader();
      const page = await history(socket, { room: busyRoom, after: 10 });
      expect(offsetsOf(page.messages)).toEqual(offsetRange(11, 60));
      expect(page.hasMore).toBe(true);
    });

    it('pages backward with before: the last `limit` older messages, hasMore while older remain', async () => {
      const socket = await reader();
      const pages: MessagePage[] = [await history(socket, { room: busyRoom })];
      while (pages[pages.length - 1].hasMore) {
        const before = pages[pages.length - 1].messages[0].offset;
        pages.push(await history(socket, { room: busyRoom, before }));
      }
      expect(pages.map((page) => [offsetsOf(page.messages), page.hasMore])).toEqual([
        [offsetRange(71, 120), true],
        [offsetRange(21, 70), true],
        [offsetRange(1, 20), false],
      ]);
      expect(pages.reverse().flatMap((page) => page.messages)).toEqual(stored);
    });

    it('says exactly whether older messages remain before a page', async () => {
      const socket = await reader();
      const page = (before: number, limit: number) =>
        history(socket, { room: busyRoom, before, limit });
      expect(await page(51, 50)).toEqual({ messages: stored.slice(0, 50), hasMore: false });
      expect(await page(52, 50)).toEqual({ messages: stored.slice(1, 51), hasMore: true });
      expect(await page(2, 1)).toEqual({ messages: [stored[0]], hasMore: false });
      expect(await page(1, 50)).toEqual({ messages: [], hasMore: false });
      expect(await page(121, 50)).toEqual(await history(socket, { room: busyRoom }));
    });

    it.each([
      ['0', 0],
      ['101', 101],
      ['a fraction', 2.5],
      ['a string', '10'],
    ])('refuses a limit of %s with VALIDATION_FAILED', async (_, limit) => {
      const socket = await reader();
      expect(await request(socket, 'chat:history', { room: busyRoom, limit })).toEqual(
        validationFailure('limit'),
      );
    });

    it('accepts limits of 1 and 100', async () => {
      const socket = await reader();
      expect((await history(socket, { room: busyRoom, limit: 1 })).messages).toHaveLength(1);
      expect((await history(socket, { room: busyRoom, limit: 100 })).messages).toHaveLength(100);
    });

    it.each(['after', 'before'])(
      'refuses a %s that is not a number with VALIDATION_FAILED',
      async (field) => {
        const socket = await reader();
        expect(await request(socket, 'chat:history', { room: busyRoom, [field]: 'ten' })).toEqual(
          validationFailure(field),
        );
      },
    );

    it('replies FORBIDDEN when the socket is not in the room', async () => {
      const outsider = await guest('outsider');
      expect(await request(outsider, 'chat:history', { room: busyRoom })).toEqual(
        failure('FORBIDDEN'),
      );
    });
  });

  describe('failures without an acknowledgement', () => {
    it('answers a refused chat:send with the error event, on that socket only', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const mallory = await guest('mallory');
      const errorsToAlice = collect(alice, 'error');
      const error = nextEvent<ErrorEvent>(mallory, 'error');

      mallory.emit('chat:send', { room, text: 'let me in' });

      expect(await error).toEqual({
        event: 'chat:send',
        code: 'FORBIDDEN',
        message: expect.any(String),
      });
      await caughtUp(alice);
      expect(errorsToAlice).toEqual([]);
      expect(mallory.connected).toBe(true);
    });

    it('carries the details of VALIDATION_FAILED in the error event', async () => {
      const room = uniqueId('chat');
      const [alice] = await guestsInRoom(room, 'alice');
      const error = nextEvent<ErrorEvent>(alice, 'error');
      alice.emit('chat:send', { room, text: '   ' });
      expect(await error).toEqual({
        event: 'chat:send',
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: [{ field: 'text', problems: expect.arrayContaining([expect.any(String)]) }],
      });
    });

    it('carries out an accepted chat:send without an answer to the sender', async () => {
      const room = uniqueId('chat');
      const [alice, bob] = await guestsInRoom(room, 'alice', 'bob');
      const errorsToAlice = collect(alice, 'error');
      const toBob = nextEvent<Message>(bob, 'chat:message');
      alice.emit('chat:send', { room, text: 'fire and forget' });
      expect(await toBob).toMatchObject({ room, text: 'fire and forget', offset: 1 });
      await caughtUp(alice);
      expect(errorsToAlice).toEqual([]);
    });
  });
});

describe('chat with HISTORY_LIMIT', () => {
  const server = useServer({ HISTORY_LIMIT: '5' });
  afterEach(() => closeAllClients());

  async function roomWithMessages(count: number) {
    const room = uniqueId('window');
    const alice = await connectAs(server.url, 'alice');
    await joined(alice, room);
    return { room, alice, messages: await sentInOrder(alice, room, count) };
  }

  it('keeps only the last HISTORY_LIMIT messages', async () => {
    const { room, alice, messages } = await roomWithMessages(8);
    const kept = messages.slice(3);
    expect(await history(alice, { room })).toEqual({ messages: kept, hasMore: false });
    expect(await history(alice, { room, after: 0 })).toEqual({ messages: kept, hasMore: false });
    expect(await history(alice, { room, before: 6 })).toEqual({
      messages: kept.slice(0, 2),
      hasMore: false,
    });
    expect(await history(alice, { room, limit: 2 })).toEqual({
      messages: kept.slice(3),
      hasMore: true,
    });
  });

  it('gives a joiner only the kept messages as missed, and keeps the offsets going', async () => {
    const { room, alice, messages } = await roomWithMessages(8);
    const bob = await connectAs(server.url, 'bob');
    expect(await joined(bob, room, 0)).toMatchObject({
      lastOffset: 8,
      missed: messages.slice(3),
      hasMore: false,
    });
    expect((await sent(alice, room, 'ninth')).offset).toBe(9);
  });

  it('returns the first message for a retry while it is in the window', async () => {
    const room = uniqueId('window');
    const alice = await connectAs(server.url, 'alice');
    await joined(alice, room);
    const first = await sent(alice, room, 'hello', 'msg-1');
    await sentInOrder(alice, room, 4);
    expect(await sent(alice, room, 'hello', 'msg-1')).toEqual(first);
  });

  it('stores a retry as a new message once the first has left the window', async () => {
    const room = uniqueId('window');
    const alice = await connectAs(server.url, 'alice');
    await joined(alice, room);
    await sent(alice, room, 'hello', 'msg-1');
    await sentInOrder(alice, room, 5);
    expect(await sent(alice, room, 'hello', 'msg-1')).toMatchObject({
      offset: 7,
      clientMsgId: 'msg-1',
    });
  });
});
