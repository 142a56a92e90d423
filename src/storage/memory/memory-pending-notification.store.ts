import type { Notification } from '../../contract/types.js';
import type { PendingNotificationStore, PendingNotificationLimits } from '../stores.js';

export class MemoryPendingNotificationStore implements PendingNotificationStore {
  /** user id → notification id → notification; a Map keeps insertion order, which is delivery order. */
  private readonly byUser = new Map<string, Map<string, Notification>>();
  /** notification id → user id, oldest first, to drop the oldest of all when over the total. */
  private readonly byAge = new Map<string, string>();

  constructor(private readonly limits: PendingNotificationLimits) {}

  add(userId: string, notification: Notification): Promise<void> {
    let pending = this.byUser.get(userId);
    if (!pending) {
      pending = new Map();
      this.byUser.set(userId, pending);
    }
    pending.set(notification.id, notification);
    this.byAge.set(notification.id, userId);
    if (pending.size > this.limits.perUser) {
      this.forget(userId, pending.keys().next().value!);
    }
    if (this.byAge.size > this.limits.total) {
      const [oldestId, oldestUserId] = this.byAge.entries().next().value!;
      this.forget(oldestUserId, oldestId);
    }
    return Promise.resolve();
  }

  pending(userId: string): Promise<Notification[]> {
    return Promise.resolve([...(this.byUser.get(userId)?.values() ?? [])]);
  }

  acknowledge(userId: string, notificationId: string): Promise<void> {
    this.forget(userId, notificationId);
    return Promise.resolve();
  }

  private forget(userId: string, notificationId: string): void {
    const pending = this.byUser.get(userId);
    if (!pending?.delete(notificationId)) return;
    this.byAge.delete(notificationId);
    if (pending.size === 0) this.byUser.delete(userId);
  }
}
