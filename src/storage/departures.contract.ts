import type { User } from '@switchboard/contract';
import type { DepartureSchedule, DueDeparture } from './departures.js';
import type { PresenceStore, UserSocketsStore } from './stores.js';

/** The stores of one node that schedule departures, and another node's view of the schedule. */
export interface DepartureFixture {
  presence: PresenceStore;
  userSockets: UserSocketsStore;
  schedule: DepartureSchedule;
  /** Another node's claims on the same schedule (on one node: the same schedule). */
  otherSchedule: DepartureSchedule;
}

const alice: User = { id: 'u-alice', name: 'Alice' };
const bob: User = { id: 'u-bob', name: 'Bob' };
/** Long enough that nothing falls due while a test runs, unless it claims with a later `now`. */
const DELAY_MS = 60_000;
const LIMIT = 100;
/** A claim as if the delay had passed. */
const afterTheDelay = (schedule: DepartureSchedule) =>
  schedule.claimDue(Date.now() + 2 * DELAY_MS, LIMIT);

/**
 * The behaviour of presence changes that schedule departures (storage/departures.ts): run on the
 * memory stores and on Redis. `create(delayMs)` returns fresh, empty stores.
 */
export function describeDepartures(
  name: string,
  create: (delayMs: number) => Promise<DepartureFixture> | DepartureFixture,
) {
  describe(`${name} departures`, () => {
    it("tells a user's first socket, and schedules their departure at the last, once", async () => {
      const { userSockets, schedule, otherSchedule } = await create(DELAY_MS);
      expect((await userSockets.add(alice, 's1', 10)).online).toBe(true);
      expect((await userSockets.add(alice, 's2', 10)).online).toBe(false);
      await userSockets.remove(alice, 's1');
      expect(await afterTheDelay(schedule)).toEqual([]);

      const before = Date.now();
      await userSockets.remove(alice, 's2');
      expect(await schedule.claimDue(Date.now(), LIMIT)).toEqual([]);
      const [departure, ...others] = await afterTheDelay(otherSchedule);
      expect(others).toEqual([]);
      expect(departure).toEqual({ kind: 'user', user: alice, lastSeen: expect.any(Number) });
      expect((departure as { lastSeen: number }).lastSeen).toBeGreaterThanOrEqual(before - 1000);
      expect(await afterTheDelay(schedule)).toEqual([]);
    });

    it('takes back the departure of a user who comes back within the delay, telling nothing', async () => {
      const { userSockets, schedule } = await create(DELAY_MS);
      await userSockets.add(alice, 's1', 10);
      await userSockets.remove(alice, 's1');
      expect((await userSockets.add(alice, 's2', 10)).online).toBe(false);
      expect(await afterTheDelay(schedule)).toEqual([]);
      await userSockets.remove(alice, 's2');
      expect(await afterTheDelay(schedule)).toHaveLength(1);
      expect((await userSockets.add(alice, 's3', 10)).online).toBe(true);
    });

    it('tells a room occupied and a member joined at their first presence only', async () => {
      const { presence } = await create(DELAY_MS);
      expect((await presence.join('r', alice, 's1', 10)).news).toEqual({
        roomOccupied: true,
        memberJoined: true,
      });
      expect((await presence.join('r', bob, 's2', 10)).news).toEqual({
        roomOccupied: false,
        memberJoined: true,
      });
      expect((await presence.join('r', alice, 's3', 10)).news).toEqual({
        roomOccupied: false,
        memberJoined: false,
      });
    });

    it("schedules a disconnected member's departure, then the room's, and a leaving one's room only", async () => {
      const { presence, schedule } = await create(DELAY_MS);
      await presence.join('r', alice, 's1', 10);
      await presence.join('r', bob, 's2', 10);
      expect((await presence.leave('r', alice.id, 's1', 'leave')).userChanged).toBe(true);
      expect(await afterTheDelay(schedule)).toEqual([]);
      await presence.leave('r', bob.id, 's2', 'disconnect');
      expect(await afterTheDelay(schedule)).toEqual([
        { kind: 'member', room: 'r', user: bob },
        { kind: 'room', room: 'r' },
      ] satisfies DueDeparture[]);

      await presence.join('q', alice, 's1', 10);
      await presence.leave('q', alice.id, 's1', 'leave');
      expect(await afterTheDelay(schedule)).toEqual([{ kind: 'room', room: 'q' }]);
    });

    it('takes back the departures of a member who returns within the delay, telling nothing', async () => {
      const { presence, schedule } = await create(DELAY_MS);
      await presence.join('r', alice, 's1', 10);
      await presence.leave('r', alice.id, 's1', 'disconnect');
      expect((await presence.join('r', alice, 's2', 10)).news).toEqual({
        roomOccupied: false,
        memberJoined: false,
      });
      expect(await afterTheDelay(schedule)).toEqual([]);
    });

    it('takes back the departure of a room that another user enters within the delay', async () => {
      const { presence, schedule } = await create(DELAY_MS);
      await presence.join('r', alice, 's1', 10);
      await presence.leave('r', alice.id, 's1', 'leave');
      expect((await presence.join('r', bob, 's2', 10)).news).toEqual({
        roomOccupied: false,
        memberJoined: true,
      });
      expect(await afterTheDelay(schedule)).toEqual([]);
    });

    it('gives each due departure to exactly one of the claims made at once', async () => {
      const { userSockets, schedule, otherSchedule } = await create(DELAY_MS);
      const users = Array.from({ length: 30 }, (_, index) => ({ id: `u${index}`, name: 'U' }));
      for (const user of users) await userSockets.add(user, `s-${user.id}`, 10);
      for (const user of users) await userSockets.remove(user, `s-${user.id}`);
      const claims = await Promise.all(
        [schedule, otherSchedule, schedule, otherSchedule].map((each) =>
          each.claimDue(Date.now() + 2 * DELAY_MS, 10),
        ),
      );
      const claimed = claims.flat().map((departure) => (departure as { user: User }).user.id);
      const rest = (await afterTheDelay(schedule)).map((each) => (each as { user: User }).user.id);
      expect([...claimed, ...rest].sort()).toEqual(users.map((user) => user.id).sort());
    });

    it('claims nothing before the delay has passed', async () => {
      const { presence, userSockets, schedule } = await create(DELAY_MS);
      await userSockets.add(alice, 's1', 10);
      await userSockets.remove(alice, 's1');
      await presence.join('r', alice, 's1', 10);
      await presence.leave('r', alice.id, 's1', 'disconnect');
      expect(await schedule.claimDue(Date.now() + DELAY_MS / 2, LIMIT)).toEqual([]);
      expect(await afterTheDelay(schedule)).toHaveLength(3);
    });
  });
}
