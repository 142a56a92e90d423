import type { Redis } from 'ioredis';
import type { Notification } from '../../contract/types.js';
import type { PendingNotificationLimits, PendingNotificationStore } from '../stores.js';
import type { RedisKeys } from './redis-keys.js';
import {
  ACKNOWLEDGE_PENDING,
  ADD_PENDING,
  LIST_PENDING,
} from './redis-pending-notification.scripts.js';

/** Unacknowledged notifications shared by every node: sent via one, acknowledged on another. */
export class RedisPendingNotificationStore implements PendingNotificationStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    private readonly limits: PendingNotificationLimits,
  ) {
    this.prefix = keys.pendingPrefix;
  }

  async add(userId: string, notification: Notification): Promise<void> {
    await ADD_PENDING.run(
      this.redis,
      [],
      [
        this.prefix,
        userId,
        notification.id,
        JSON.stringify(notification),
        this.limits.perUser,
        this.limits.total,
      ],
    );
  }

  async pending(userId: string): Promise<Notification[]> {
    const items = (await LIST_PENDING.run(this.redis, [], [this.prefix, userId])) as (
      string | null
    )[];
    return items.flatMap((json) => (json === null ? [] : [JSON.parse(json) as Notification]));
  }

  async acknowledge(userId: string, notificationId: string): Promise<void> {
    await ACKNOWLEDGE_PENDING.run(this.redis, [], [this.prefix, userId, notificationId]);
  }
}
