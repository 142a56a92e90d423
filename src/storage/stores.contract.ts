import type { Message, Notification, User } from '@switchboard/contract';
import type {
  AppendResult,
  HistoryLimits,
  HistoryStore,
  MessageDraft,
  PendingNotificationLimits,
  PendingNotificationStore,
  PresenceStore,
} from './stores.js';

/**
 * The behaviour every store implementation must have, written once and run against each of
 * them (memory now, Redis when scale-out lands), so that no implementation drifts.
 */

const alice: User = { id: 'u-alice', name: 'Alice' };
const bob: User = { id: 'u-bob', name: 'Bob' };

let draftCount = 0;
function draft(room: string, overrides: Partial<MessageDraft> = {}): MessageDraft {
  draftCount += 1;
  return {
    id: `m-${draftCount}`,
    room,
    user: alice,
    text: `message ${draftCount}`,
    ts: Date.now(),
    ...overrides,
  };
}

async function fill(store: HistoryStore, room: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await store.append(draft(room));
}

/** The message an append stored; fails the test when it stored none. */
function stored(result: AppendResult): Message {
  if (!result.created) throw new Error(`nothing was stored: ${JSON.stringify(result)}`);
  return result.message;
}

const offsetsOf = (slice: { messages: { offset: number }[] }) =>
  slice.messages.map((message) => message.offset);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The start of an hour (UTC), for tests that set the time of each write. */
const HOUR_START = Date.UTC(2026, 0, 1, 12);
const HOUR_MS = 3_600_000;
const at = (room: string, msAfterHourStart: number) =>
  draft(room, { ts: HOUR_START + msAfterHourStart });

/** `create(limits)` returns a fresh, empty store. */
export function describeHistoryStore(
  name: string,
  createWith: (limits: HistoryLimits) => Promise<HistoryStore> | HistoryStore,
) {
  /** Limits under which no room is too young to make space, and nobody brings rooms in too fast. */
  const create = (perRoom: number, rooms = 1000) =>
    createWith({ perRoom, rooms, evictIdleMs: 0, newRoomsPerHour: 1000 });
  describe(`${name} history store`, () => {
    it('forgets the history of the room written to least recently to make space for a new room', async () => {
      const store = await create(100, 2);
      await store.append(at('a', 0));
      await store.append(at('b', 1));
      await store.append(at('a', 2));
      await store.append(at('c', 3));
      expect(await store.lastOffset('b')).toBe(0);
      expect(await store.before('b', undefined, 10)).toEqual({ messages: [], hasMore: false });
      expect(await store.lastOffset('a')).toBe(2);
      expect(offsetsOf(await store.before('a', undefined, 10))).toEqual([1, 2]);
      expect(stored(await store.append(at('b', 4))).offset).toBe(1);
    });

    describe('rooms without a history', () => {
      const limited = (limits: Partial<HistoryLimits>) =>
        createWith({ perRoom: 100, rooms: 100, evictIdleMs: 0, newRoomsPerHour: 100, ...limits });

      it('refuses a new room while every room with a history had a message within evictIdleMs, and changes nothing', async () => {
        const store = await limited({ rooms: 2, evictIdleMs: 60_000 });
        await store.append(at('a', 0));
        await store.append(at('b', 1000));

        expect(await store.append(at('c', 59_999))).toEqual({ created: false, refused: 'rooms' });

        expect(await store.lastOffset('c')).toBe(0);
        expect(offsetsOf(await store.before('a', undefined, 10))).toEqual([1]);
        expect(stored(await store.append(at('c', 60_000))).offset).toBe(1);
        expect(await store.lastOffset('a')).toBe(0);
        expect(await store.lastOffset('b')).toBe(1);
      });

      it("measures a room's idleness from its last message", async () => {
        const store = await limited({ rooms: 2, evictIdleMs: 60_000 });
        await store.append(at('a', 0));
        await store.append(at('b', 1));
        await store.append(at('a', 30_000));

        expect(stored(await store.append(at('c', 60_001))).offset).toBe(1);

        expect(await store.lastOffset('b')).toBe(0);
        expect(await store.lastOffset('a')).toBe(2);
        expect(await store.append(at('d', 60_002))).toEqual({ created: false, refused: 'rooms' });
      });

      it('lets a counter bring in newRoomsPerHour rooms in a clock hour, and counts nothing else', async () => {
        const store = await limited({ newRoomsPerHour: 2 });
        await store.append(at('a', 0), undefined, 'ann');
        await store.append(at('b', 0), undefined, 'ann');

        expect(await store.append(at('c', 1), undefined, 'ann')).toEqual({
          created: false,
          refused: 'newRoomsPerHour',
        });

        expect(await store.lastOffset('c')).toBe(0);
        expect(stored(await store.append(at('a', 2), undefined, 'ann')).offset).toBe(2);
        expect((await store.append(at('c', 3), undefined, 'bob')).created).toBe(true);
        expect((await store.append(at('d', 4))).created).toBe(true);
        expect((await store.append(at('c', 5), undefined, 'ann')).created).toBe(true);
        expect((await store.append(at('e', HOUR_MS - 1), undefined, 'ann')).created).toBe(false);
        expect((await store.append(at('e', HOUR_MS), undefined, 'ann')).created).toBe(true);
      });

      it('does not count a new room that was refused for want of space', async () => {
        const store = await limited({ rooms: 2, evictIdleMs: 60_000, newRoomsPerHour: 2 });
        await store.append(at('a', 0), undefined, 'ann');
        await store.append(at('b', 0), undefined, 'bob');
        expect(await store.append(at('c', 1), undefined, 'ann')).toEqual({
          created: false,
          refused: 'rooms',
        });

        expect((await store.append(at('c', 60_000), undefined, 'ann')).created).toBe(true);
      });

      it('brings rooms in atomically: concurrent new rooms pass neither bound', async () => {
        const store = await limited({ rooms: 3, evictIdleMs: 60_000, newRoomsPerHour: 2 });
        const byAnn = await Promise.all(
          ['a', 'b', 'c', 'd'].map((room) => store.append(at(room, 0), undefined, 'ann')),
        );
        expect(byAnn.filter((result) => result.created)).toHaveLength(2);
        const byOthers = await Promise.all(
          ['e', 'f', 'g'].map((room, index) => store.append(at(room, 0), undefined, `u${index}`)),
        );
        expect(byOthers.filter((result) => result.created)).toHaveLength(1);
      });
    });

    it('gives a room offsets that start at 1 and grow by exactly 1', async () => {
      const store = await create(100);
      const results = [
        await store.append(draft('a')),
        await store.append(draft('a')),
        await store.append(draft('b')),
      ];
      expect(results.map(stored).map((message) => [message.room, message.offset])).toEqual([
        ['a', 1],
        ['a', 2],
        ['b', 1],
      ]);
      expect(await store.lastOffset('a')).toBe(2);
      expect(await store.lastOffset('empty')).toBe(0);
    });

    it('allocates distinct, gapless offsets to concurrent appends', async () => {
      const store = await create(100);
      const results = await Promise.all(range(1, 50).map(() => store.append(draft('busy'))));
      expect(results.map((result) => stored(result).offset).sort((x, y) => x - y)).toEqual(
        range(1, 50),
      );
    });

    it('keeps only the last `historyLimit` messages, offsets going on', async () => {
      const store = await create(5);
      await fill(store, 'a', 8);
      expect(offsetsOf(await store.before('a', undefined, 100))).toEqual([4, 5, 6, 7, 8]);
      expect(await store.lastOffset('a')).toBe(8);
    });

    it('returns the first message again for a repeated clientMsgId of the same user', async () => {
      const store = await create(100);
      const first = await store.append(draft('a', { clientMsgId: 'c1', text: 'hello' }));
      const again = await store.append(draft('a', { clientMsgId: 'c1', text: 'hello' }));
      expect(first.created).toBe(true);
      expect(again).toEqual({ created: false, message: stored(first) });
      expect(await store.lastOffset('a')).toBe(1);
    });

    it('treats the same clientMsgId from another user or in another room as a new message', async () => {
      const store = await create(100);
      await store.append(draft('a', { clientMsgId: 'c1' }));
      expect((await store.append(draft('a', { clientMsgId: 'c1', user: bob }))).created).toBe(true);
      expect((await store.append(draft('b', { clientMsgId: 'c1' }))).created).toBe(true);
    });

    it('forgets a clientMsgId once its message has left the history window', async () => {
      const store = await create(2);
      await store.append(draft('a', { clientMsgId: 'c1' }));
      await fill(store, 'a', 2);
      expect((await store.append(draft('a', { clientMsgId: 'c1' }))).created).toBe(true);
    });

    it('omits clientMsgId from a message sent without one', async () => {
      const store = await create(100);
      expect(stored(await store.append(draft('a')))).not.toHaveProperty('clientMsgId');
    });

    it('pages after an offset: the first `limit` newer messages, hasMore when newer remain', async () => {
      const store = await create(1000);
      await fill(store, 'a', 10);
      expect(await store.after('a', 3, 4)).toMatchObject({ hasMore: true });
      expect(offsetsOf(await store.after('a', 3, 4))).toEqual([4, 5, 6, 7]);
      expect(offsetsOf(await store.after('a', 6, 4))).toEqual([7, 8, 9, 10]);
      expect((await store.after('a', 6, 4)).hasMore).toBe(false);
      expect(await store.after('a', 10, 4)).toEqual({ messages: [], hasMore: false });
      expect(offsetsOf(await store.after('a', 0, 2))).toEqual([1, 2]);
    });

    it('pages before an offset: the last `limit` older messages, oldest first, hasMore when older remain', async () => {
      const store = await create(1000);
      await fill(store, 'a', 10);
      const page = await store.before('a', 8, 3);
      expect(offsetsOf(page)).toEqual([5, 6, 7]);
      expect(page.hasMore).toBe(true);
      expect(offsetsOf(await store.before('a', 3, 5))).toEqual([1, 2]);
      expect((await store.before('a', 3, 5)).hasMore).toBe(false);
      expect(await store.before('a', 1, 5)).toEqual({ messages: [], hasMore: false });
    });

    it('returns the latest messages when no offset is given', async () => {
      const store = await create(1000);
      await fill(store, 'a', 10);
      const page = await store.before('a', undefined, 4);
      expect(offsetsOf(page)).toEqual([7, 8, 9, 10]);
      expect(page.hasMore).toBe(true);
      expect((await store.before('a', undefined, 10)).hasMore).toBe(false);
    });

    it('pages between two offsets when both are given', async () => {
      const store = await create(1000);
      await fill(store, 'a', 10);
      expect(offsetsOf(await store.after('a', 2, 3, 7))).toEqual([3, 4, 5]);
      expect((await store.after('a', 2, 3, 7)).hasMore).toBe(true);
      expect(offsetsOf(await store.after('a', 2, 10, 7))).toEqual([3, 4, 5, 6]);
      expect((await store.after('a', 2, 10, 7)).hasMore).toBe(false);
    });

    it('pages from the oldest kept message once older ones were dropped', async () => {
      const store = await create(5);
      await fill(store, 'a', 8);
      expect(offsetsOf(await store.after('a', 1, 100))).toEqual([4, 5, 6, 7, 8]);
      expect(offsetsOf(await store.before('a', 6, 100))).toEqual([4, 5]);
      expect((await store.before('a', 6, 100)).hasMore).toBe(false);
    });

    it('has nothing for an unknown room', async () => {
      const store = await create(10);
      expect(await store.after('none', 0, 10)).toEqual({ messages: [], hasMore: false });
      expect(await store.before('none', undefined, 10)).toEqual({ messages: [], hasMore: false });
    });
  });
}

export function describePresenceStore(
  name: string,
  create: () => Promise<PresenceStore> | PresenceStore,
) {
  describe(`${name} presence store`, () => {
    it('makes a user present with their first socket only', async () => {
      const store = await create();
      expect(await store.join('r', alice, 's1', 10)).toEqual({
        socketAdded: true,
        userChanged: true,
        overLimit: false,
      });
      expect(await store.join('r', alice, 's2', 10)).toEqual({
        socketAdded: true,
        userChanged: false,
        overLimit: false,
      });
      expect(await store.join('r', alice, 's1', 10)).toEqual({
        socketAdded: false,
        userChanged: false,
        overLimit: false,
      });
      expect(await store.members('r')).toEqual([alice]);
    });

    it('keeps a user present until their last socket leaves', async () => {
      const store = await create();
      await store.join('r', alice, 's1', 10);
      await store.join('r', alice, 's2', 10);
      expect((await store.leave('r', alice.id, 's1')).userChanged).toBe(false);
      expect(await store.members('r')).toEqual([alice]);
      expect((await store.leave('r', alice.id, 's2')).userChanged).toBe(true);
      expect(await store.members('r')).toEqual([]);
    });

    it('ignores leaving a room the socket is not in', async () => {
      const store = await create();
      await store.join('r', alice, 's1', 10);
      expect(await store.leave('r', alice.id, 's9')).toEqual({
        socketAdded: false,
        userChanged: false,
      });
      expect(await store.members('r')).toEqual([alice]);
    });

    it('refuses a socket one room over the limit, atomically, but lets it join a room it is in again', async () => {
      const store = await create();
      const outcomes = await Promise.all(
        ['r1', 'r2', 'r3', 'r4'].map((room) => store.join(room, alice, 's1', 2)),
      );
      expect(outcomes.filter((outcome) => outcome.overLimit)).toHaveLength(2);
      expect(await store.roomsOf('s1')).toHaveLength(2);
      const [kept] = await store.roomsOf('s1');
      expect(await store.join(kept, alice, 's1', 2)).toEqual({
        socketAdded: false,
        userChanged: false,
        overLimit: false,
      });
      expect(await store.join('r9', bob, 's2', 2)).toMatchObject({ overLimit: false });
    });

    it('lists members and the rooms of a socket', async () => {
      const store = await create();
      await store.join('r1', alice, 's1', 10);
      await store.join('r2', alice, 's1', 10);
      await store.join('r1', bob, 's2', 10);
      expect(await store.members('r1')).toEqual(expect.arrayContaining([alice, bob]));
      expect((await store.roomsOf('s1')).sort()).toEqual(['r1', 'r2']);
      await store.join('r1', alice, 's3', 10);
      expect(await store.socketCount('r1')).toBe(3);
      expect(await store.socketCount('r2')).toBe(1);
      expect(await store.socketCount('nobody-here')).toBe(0);
      await store.leave('r1', alice.id, 's3');
      await store.leave('r1', alice.id, 's1');
      expect(await store.roomsOf('s1')).toEqual(['r2']);
      expect(await store.roomsOf('unknown')).toEqual([]);
    });

    it('tells whether two users are present in a common room, by any of their sockets', async () => {
      const store = await create();
      const carol: User = { id: 'u-carol', name: 'Carol' };
      await store.join('r1', alice, 's1', 10);
      await store.join('r2', alice, 's2', 10);
      await store.join('r2', bob, 's3', 10);
      await store.join('r3', carol, 's4', 10);
      expect(await store.sharesRoom(alice.id, bob.id)).toBe(true);
      expect(await store.sharesRoom(bob.id, alice.id)).toBe(true);
      expect(await store.sharesRoom(alice.id, carol.id)).toBe(false);
      expect(await store.sharesRoom('u-nobody', alice.id)).toBe(false);

      await store.join('r2', alice, 's1', 10);
      await store.leave('r2', alice.id, 's2');
      expect(await store.sharesRoom(alice.id, bob.id)).toBe(true);
      await store.leave('r2', alice.id, 's1');
      expect(await store.sharesRoom(alice.id, bob.id)).toBe(false);
      expect(await store.sharesRoom(bob.id, alice.id)).toBe(false);
    });
  });
}

let notificationCount = 0;
function notification(): Notification {
  notificationCount += 1;
  return {
    id: `n-${notificationCount}`,
    title: 't',
    body: 'b',
    ts: Date.now(),
    from: { id: 'system', name: 'System' },
  };
}

/**
 * A pending-notification store of one node, and a way to make that node hold a socket of a user
 * (with Redis: registered in the user-sockets store; one node holds every user's sockets).
 */
export interface PendingNotificationFixture {
  store: PendingNotificationStore;
  holdSocketOf: (userId: string) => Promise<void>;
}

/** Whenever: the tests of the schedule of offers give their own times. */
const SOMETIME = 1000;

/** `createFixture(limits)` returns a fresh, empty store. */
export function describePendingNotificationStore(
  name: string,
  createFixture: (
    limits: PendingNotificationLimits,
  ) => Promise<PendingNotificationFixture> | PendingNotificationFixture,
) {
  const create = async (limits: PendingNotificationLimits) => (await createFixture(limits)).store;
  const add = (store: PendingNotificationStore, userId: string, each: Notification) =>
    store.add(userId, each, SOMETIME);

  describe(`${name} pending notification store`, () => {
    it('keeps notifications per user in the order they were added', async () => {
      const store = await create({ perUser: 10, total: 100 });
      const [first, second, other] = [notification(), notification(), notification()];
      await add(store, alice.id, first);
      await add(store, alice.id, second);
      await add(store, bob.id, other);
      expect(await store.pending(alice.id)).toEqual([first, second]);
      expect(await store.pending(bob.id)).toEqual([other]);
      expect(await store.pending('nobody')).toEqual([]);
    });

    it('forgets an acknowledged notification, and only that one', async () => {
      const store = await create({ perUser: 10, total: 100 });
      const [first, second] = [notification(), notification()];
      await add(store, alice.id, first);
      await add(store, alice.id, second);
      await store.acknowledge(alice.id, first.id);
      await store.acknowledge(alice.id, 'unknown');
      expect(await store.pending(alice.id)).toEqual([second]);
    });

    it('drops the oldest beyond the per-user limit', async () => {
      const store = await create({ perUser: 2, total: 100 });
      const [first, second, third] = [notification(), notification(), notification()];
      for (const each of [first, second, third]) await add(store, alice.id, each);
      expect(await store.pending(alice.id)).toEqual([second, third]);
    });

    it('drops the oldest of all users beyond the total limit', async () => {
      const store = await create({ perUser: 10, total: 3 });
      const [first, second, third, fourth] = [
        notification(),
        notification(),
        notification(),
        notification(),
      ];
      await add(store, alice.id, first);
      await add(store, bob.id, second);
      await add(store, alice.id, third);
      await store.acknowledge(bob.id, second.id);
      await add(store, bob.id, fourth);
      expect(await store.pending(alice.id)).toEqual([first, third]);
      const fifth = notification();
      await add(store, bob.id, fifth);
      expect(await store.pending(alice.id)).toEqual([third]);
      expect(await store.pending(bob.id)).toEqual([fourth, fifth]);
    });
  });

  describe(`${name} schedule of offers`, () => {
    const limits = { perUser: 10, total: 100 };

    it('schedules the offer of a user whose socket this node holds at add, due from then on', async () => {
      const { store, holdSocketOf } = await createFixture(limits);
      await holdSocketOf(alice.id);
      await store.add(alice.id, notification(), 5000);
      expect(await store.dueOffers(4999, 10)).toEqual([]);
      expect(await store.dueOffers(5000, 10)).toEqual([{ userId: alice.id, at: 5000 }]);
      expect(await store.dueOffers(9000, 10)).toEqual([{ userId: alice.id, at: 5000 }]);
    });

    it('restarts the schedule at each add, and at scheduleOffer, later or sooner', async () => {
      const { store, holdSocketOf } = await createFixture(limits);
      await holdSocketOf(alice.id);
      await store.add(alice.id, notification(), 5000);
      await store.add(alice.id, notification(), 7000);
      expect(await store.dueOffers(6000, 10)).toEqual([]);
      await store.scheduleOffer(alice.id, 3000);
      expect(await store.dueOffers(3000, 10)).toEqual([{ userId: alice.id, at: 3000 }]);
    });

    it('drops the schedule of a user who has nothing pending any more', async () => {
      const { store, holdSocketOf } = await createFixture(limits);
      await holdSocketOf(alice.id);
      const read = notification();
      await store.add(alice.id, read, 5000);
      await store.acknowledge(alice.id, read.id);
      expect(await store.dueOffers(5000, 10)).toEqual([]);
      await store.add(alice.id, notification(), 9000);
      expect(await store.dueOffers(9000, 10)).toEqual([{ userId: alice.id, at: 9000 }]);
      await store.scheduleOffer(bob.id, 1000);
      expect(await store.dueOffers(9000, 10)).toEqual([{ userId: alice.id, at: 9000 }]);
    });

    it('gives the due offers soonest first, at most `limit`', async () => {
      const { store, holdSocketOf } = await createFixture(limits);
      await holdSocketOf(alice.id);
      await holdSocketOf(bob.id);
      await store.add(alice.id, notification(), 6000);
      await store.add(bob.id, notification(), 5000);
      expect(await store.dueOffers(9000, 10)).toEqual([
        { userId: bob.id, at: 5000 },
        { userId: alice.id, at: 6000 },
      ]);
      expect(await store.dueOffers(9000, 1)).toEqual([{ userId: bob.id, at: 5000 }]);
    });

    it('moves or drops an offer, unless its schedule was restarted since it was read', async () => {
      const { store, holdSocketOf } = await createFixture(limits);
      await holdSocketOf(alice.id);
      await store.add(alice.id, notification(), 5000);
      const [offer] = await store.dueOffers(5000, 10);
      await store.rescheduleOffer(offer, 8000);
      expect(await store.dueOffers(7999, 10)).toEqual([]);
      const [moved] = await store.dueOffers(8000, 10);
      expect(moved).toEqual({ userId: alice.id, at: 8000 });

      await store.add(alice.id, notification(), 8500);
      await store.rescheduleOffer(moved, 20_000);
      expect(await store.dueOffers(8500, 10)).toEqual([{ userId: alice.id, at: 8500 }]);

      await store.rescheduleOffer({ userId: alice.id, at: 8500 }, undefined);
      expect(await store.dueOffers(1e15, 10)).toEqual([]);
    });
  });
}
