import type { Notification } from '../../contract/types.js';
import type { PendingNotificationStore } from '../stores.js';

export class MemoryPendingNotificationStore implements PendingNotificationStore {
  /** user id → notification id → notification; a Map keeps insertion order, which is delivery order. */
  private readonly byUser = new Map<string, Map<string, Notification>>();

  constructor(private readonly perUserLimit: number) {}

  add(userId: string, notification: Notification): Promise<void> {
    let pending = this.byUser.get(userId);
    if (!pending) {
      pending = new Map();
      this.byUser.set(userId, pending);
    }
    pending.set(notification.id, notification);
    for (const id of pending.keys()) {
      if (pending.size <= this.perUserLimit) break;
      pending.delete(id);
    }
    return Promise.resolve();
  }

  pending(userId: string): Promise<Notification[]> {
    return Promise.resolve([...(this.byUser.get(userId)?.values() ?? [])]);
  }

  acknowledge(userId: string, notificationId: string): Promise<void> {
    const pending = this.byUser.get(userId);
    pending?.delete(notificationId);
    if (pending?.size === 0) this.byUser.delete(userId);
    return Promise.resolve();
  }
}
