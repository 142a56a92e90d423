import type { Notification } from '@switchboard/contract';
import type { PendingNotificationLimits, PendingNotificationStore } from './stores.js';

/** Two nodes' pending-notification stores over the same data (on one node: the same store). */
export interface UnacknowledgedFixture {
  store: PendingNotificationStore;
  otherStore: PendingNotificationStore;
}

const UNACKNOWLEDGED_MS = 30_000;
const ACCEPTED_AT = Date.UTC(2026, 0, 1);
const LIMITS = { perUser: 10, total: 100 };
let count = 0;
function notification(ts = ACCEPTED_AT): Notification {
  count += 1;
  return { id: `n-${count}`, title: 't', body: 'b', ts, from: { id: 'system', name: 'System' } };
}
const due = ACCEPTED_AT + UNACKNOWLEDGED_MS;

/**
 * notification.unacknowledged in the pending-notification stores: `create(limits, ms)` returns
 * fresh stores that schedule each notification to be told unacknowledged `ms` after its `ts`
 * (none at all when `ms` is undefined).
 */
export function describeUnacknowledgedNotifications(
  name: string,
  create: (
    limits: PendingNotificationLimits,
    unacknowledgedMs: number | undefined,
  ) => Promise<UnacknowledgedFixture> | UnacknowledgedFixture,
) {
  describe(`${name} unacknowledged notifications`, () => {
    it('gives a notification unacknowledged for the time to one claim, once, not before', async () => {
      const { store, otherStore } = await create(LIMITS, UNACKNOWLEDGED_MS);
      const [first, second] = [notification(), notification(ACCEPTED_AT + 1)];
      await store.add('alice', first, 0);
      await store.add('bob', second, 0);
      expect(await store.claimUnacknowledged(due - 1, 10)).toEqual([]);
      const claims = await Promise.all([
        store.claimUnacknowledged(due + 1, 10),
        otherStore.claimUnacknowledged(due + 1, 10),
      ]);
      expect(claims.flat()).toEqual([
        { userId: 'alice', notification: first },
        { userId: 'bob', notification: second },
      ]);
      expect(await otherStore.claimUnacknowledged(due + 60_000, 10)).toEqual([]);
      // Told, it stays pending for its user all the same.
      expect(await store.pending('alice')).toEqual([first]);
    });

    it('claims neither an acknowledged notification nor one the limits dropped', async () => {
      const { store } = await create({ perUser: 1, total: 100 }, UNACKNOWLEDGED_MS);
      const [acknowledged, dropped, kept] = [notification(), notification(), notification()];
      await store.add('alice', acknowledged, 0);
      await store.acknowledge('alice', acknowledged.id);
      await store.add('bob', dropped, 0);
      await store.add('bob', kept, 0);
      expect(await store.claimUnacknowledged(due, 10)).toEqual([
        { userId: 'bob', notification: kept },
      ]);
    });

    it('claims at most `limit` at a time, oldest first', async () => {
      const { store } = await create(LIMITS, UNACKNOWLEDGED_MS);
      const all = [notification(), notification(ACCEPTED_AT + 1), notification(ACCEPTED_AT + 2)];
      for (const each of all) await store.add('alice', each, 0);
      expect(await store.claimUnacknowledged(due + 10, 2)).toEqual(
        all.slice(0, 2).map((each) => ({ userId: 'alice', notification: each })),
      );
      expect(await store.claimUnacknowledged(due + 10, 2)).toEqual([
        { userId: 'alice', notification: all[2] },
      ]);
    });

    it('schedules nothing without a time to wait (webhooks off)', async () => {
      const { store } = await create(LIMITS, undefined);
      await store.add('alice', notification(), 0);
      expect(await store.claimUnacknowledged(due + 60_000, 10)).toEqual([]);
    });
  });
}
