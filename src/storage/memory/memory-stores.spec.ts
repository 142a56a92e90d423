import {
  describeHistoryStore,
  describePendingNotificationStore,
  describePresenceStore,
} from '../stores.contract.js';
import { describeDepartures } from '../departures.contract.js';
import { describeUnacknowledgedNotifications } from '../unacknowledged.contract.js';
import { describeIdempotencyStore } from '../idempotency.contract.js';
import { MemoryDepartureSchedule } from './memory-departure-schedule.js';
import { describePresentRooms } from '../present-rooms.contract.js';
import { describeUserSocketsStore } from '../user-sockets.contract.js';
import { MemoryIdempotencyStore } from './memory-idempotency.store.js';
import { MemoryHistoryStore } from './memory-history.store.js';
import { MemoryPendingNotificationStore } from './memory-pending-notification.store.js';
import { MemoryPresenceStore } from './memory-presence.store.js';
import { MemoryUserSocketsStore } from './memory-user-sockets.store.js';
import { MemoryWebhookQueue } from './memory-webhook-queue.js';
import { describeWebhookQueue } from '../webhook-queue.contract.js';

describeHistoryStore('memory', (limits) => new MemoryHistoryStore(limits));
describePresenceStore('memory', () => new MemoryPresenceStore());
describePresentRooms('memory', () => new MemoryPresenceStore());
// One node holds every user's sockets.
describePendingNotificationStore('memory', (limits) => ({
  store: new MemoryPendingNotificationStore(limits),
  holdSocketOf: () => Promise.resolve(),
}));
describeUserSocketsStore('memory', () => new MemoryUserSocketsStore());
describeIdempotencyStore('memory', () => new MemoryIdempotencyStore(1000));
describeWebhookQueue(
  'memory',
  (limits) => new MemoryWebhookQueue(limits),
  (limits) => {
    // One node: both sides see the one queue.
    const queue = new MemoryWebhookQueue(limits);
    return [queue, queue];
  },
);

describe('memory idempotency store, in time and in size', () => {
  it('forgets a claim and an answer once they expire', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore(1000, () => now);
    await store.claim('k', 10);
    now = 10;
    expect(await store.claim('k', 10)).toEqual({ state: 'claimed' });
    await store.complete('k', { status: 200, body: {} }, 100);
    now = 109;
    expect((await store.claim('k', 10)).state).toBe('answered');
    now = 110;
    expect(await store.claim('k', 10)).toEqual({ state: 'claimed' });
  });

  it('forgets the oldest key beyond its size', async () => {
    const store = new MemoryIdempotencyStore(2);
    for (const key of ['a', 'b', 'c']) await store.complete(key, { status: 200, body: key }, 1000);
    expect(await store.claim('a', 10)).toEqual({ state: 'claimed' });
    expect((await store.claim('c', 10)).state).toBe('answered');
  });
});

describeDepartures('memory', (delayMs) => {
  const schedule = new MemoryDepartureSchedule(delayMs);
  return {
    presence: new MemoryPresenceStore(schedule),
    userSockets: new MemoryUserSocketsStore(schedule),
    schedule,
    otherSchedule: schedule,
  };
});

describeUnacknowledgedNotifications('memory', (limits, unacknowledgedMs) => {
  const store = new MemoryPendingNotificationStore(limits, unacknowledgedMs);
  return { store, otherStore: store };
});
