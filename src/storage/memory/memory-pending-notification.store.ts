import type { Notification } from '@switchboard/contract';
import type {
  PendingNotificationLimits,
  PendingNotificationStore,
  ScheduledOffer,
  UnacknowledgedNotification,
} from '../stores.js';

export class MemoryPendingNotificationStore implements PendingNotificationStore {
  /** user id → notification id → notification; a Map keeps insertion order, which is delivery order. */
  private readonly byUser = new Map<string, Map<string, Notification>>();
  /** notification id → user id, oldest first, to drop the oldest of all when over the total. */
  private readonly byAge = new Map<string, string>();
  /**
   * user id → when the user's next offer is due. The one node holds every socket, so every add
   * schedules one; a user who has nothing pending when it is due, or no socket, is dropped then.
   */
  private readonly offers = new Map<string, number>();

  /**
   * With `unacknowledgedMs` (webhooks on): notification id → when it is due to be told
   * unacknowledged, in acceptance order. An acknowledged or dropped notification leaves it, so it
   * holds no more than the pending notifications.
   */
  private readonly unacknowledged = new Map<string, { userId: string; due: number }>();

  constructor(
    private readonly limits: PendingNotificationLimits,
    private readonly unacknowledgedMs?: number,
  ) {}

  add(userId: string, notification: Notification, offerAgainAt: number): Promise<void> {
    let pending = this.byUser.get(userId);
    if (!pending) {
      pending = new Map();
      this.byUser.set(userId, pending);
    }
    pending.set(notification.id, notification);
    this.byAge.set(notification.id, userId);
    if (this.unacknowledgedMs !== undefined) {
      const due = notification.ts + this.unacknowledgedMs;
      this.unacknowledged.set(notification.id, { userId, due });
    }
    if (pending.size > this.limits.perUser) {
      this.forget(userId, pending.keys().next().value!);
    }
    if (this.byAge.size > this.limits.total) {
      const [oldestId, oldestUserId] = this.byAge.entries().next().value!;
      this.forget(oldestUserId, oldestId);
    }
    this.offers.set(userId, offerAgainAt);
    return Promise.resolve();
  }

  pending(userId: string): Promise<Notification[]> {
    return Promise.resolve([...(this.byUser.get(userId)?.values() ?? [])]);
  }

  acknowledge(userId: string, notificationId: string): Promise<void> {
    this.forget(userId, notificationId);
    return Promise.resolve();
  }

  scheduleOffer(userId: string, at: number): Promise<void> {
    this.offers.set(userId, at);
    return Promise.resolve();
  }

  dueOffers(now: number, limit: number): Promise<ScheduledOffer[]> {
    const due: ScheduledOffer[] = [];
    for (const [userId, at] of this.offers) {
      if (at > now) continue;
      if (this.byUser.has(userId)) due.push({ userId, at });
      else this.offers.delete(userId);
    }
    return Promise.resolve(due.sort((one, other) => one.at - other.at).slice(0, limit));
  }

  rescheduleOffer({ userId, at }: ScheduledOffer, next: number | undefined): Promise<void> {
    if (this.offers.get(userId) !== at) return Promise.resolve();
    if (next === undefined) this.offers.delete(userId);
    else this.offers.set(userId, next);
    return Promise.resolve();
  }

  claimUnacknowledged(now: number, limit: number): Promise<UnacknowledgedNotification[]> {
    const claimed: UnacknowledgedNotification[] = [];
    for (const [id, { userId, due }] of this.unacknowledged) {
      if (due > now || claimed.length >= limit) break;
      this.unacknowledged.delete(id);
      const notification = this.byUser.get(userId)?.get(id);
      if (notification) claimed.push({ userId, notification });
    }
    return Promise.resolve(claimed);
  }

  private forget(userId: string, notificationId: string): void {
    const pending = this.byUser.get(userId);
    if (!pending?.delete(notificationId)) return;
    this.byAge.delete(notificationId);
    this.unacknowledged.delete(notificationId);
    if (pending.size === 0) this.byUser.delete(userId);
  }
}
