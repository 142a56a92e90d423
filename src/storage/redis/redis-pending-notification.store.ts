import type { RedisCommands } from './redis-client.js';
import type { Notification } from '@switchboard/contract';
import type {
  PendingNotificationLimits,
  PendingNotificationStore,
  ScheduledOffer,
  UnacknowledgedNotification,
} from '../stores.js';
import { UnconfirmedWrites, type DurableWrites } from './durable-writes.js';
import type { RedisKeys } from './redis-keys.js';
import {
  ACKNOWLEDGE_PENDING,
  ADD_PENDING,
  CLAIM_UNACKNOWLEDGED,
  DUE_OFFERS,
  LIST_PENDING,
  RESCHEDULE_OFFER,
  SCHEDULE_OFFER,
} from './redis-pending-notification.scripts.js';

/**
 * A node's offers outlive its last change by this long: the offers of a node that died go with
 * them, and a live node changes its own at every offer, at least every minute while any is due.
 */
const OFFERS_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Unacknowledged notifications shared by every node: sent via one, acknowledged on another, and
 * offered again by the nodes that hold the user's sockets (see the scripts).
 */
export class RedisPendingNotificationStore implements PendingNotificationStore {
  private readonly prefix: string;
  /** This node's offers. */
  private readonly offers: string;

  constructor(
    private readonly redis: RedisCommands,
    private readonly keys: RedisKeys,
    private readonly limits: PendingNotificationLimits,
    nodeId: string,
    /** Given when webhooks tell notification.unacknowledged (see the scripts). */
    private readonly unacknowledgedMs?: number,
    /** Where notifications are stored: confirmed by replicas, with REDIS_WAIT_REPLICAS. */
    private readonly writes: DurableWrites = new UnconfirmedWrites(redis),
  ) {
    this.prefix = keys.pendingPrefix;
    this.offers = keys.offers(nodeId);
  }

  async add(userId: string, notification: Notification, offerAgainAt: number): Promise<void> {
    await this.writes.run(this.keys.userSockets(userId), (client) =>
      ADD_PENDING.run(
        client,
        [this.keys.usersSlot],
        [
          this.prefix,
          userId,
          notification.id,
          JSON.stringify(notification),
          this.limits.perUser,
          this.limits.total,
          this.keys.userSockets(userId),
          offerAgainAt,
          OFFERS_TTL_MS,
          ...(this.unacknowledgedMs === undefined ? [] : [notification.ts + this.unacknowledgedMs]),
        ],
      ),
    );
  }

  async pending(userId: string): Promise<Notification[]> {
    const items = (await LIST_PENDING.run(
      this.redis,
      [this.keys.usersSlot],
      [this.prefix, userId],
    )) as (string | null)[];
    return items.flatMap((json) => (json === null ? [] : [JSON.parse(json) as Notification]));
  }

  async acknowledge(userId: string, notificationId: string): Promise<void> {
    await ACKNOWLEDGE_PENDING.run(
      this.redis,
      [this.keys.usersSlot],
      this.unacknowledgedMs === undefined
        ? [this.prefix, userId, notificationId]
        : [this.prefix, userId, notificationId, 1],
    );
  }

  async scheduleOffer(userId: string, at: number): Promise<void> {
    await SCHEDULE_OFFER.run(this.redis, [this.offers], [userId, at, OFFERS_TTL_MS]);
  }

  async dueOffers(now: number, limit: number): Promise<ScheduledOffer[]> {
    const flat = (await DUE_OFFERS.run(
      this.redis,
      [this.offers],
      [this.prefix, now, limit],
    )) as string[];
    const offers: ScheduledOffer[] = [];
    for (let index = 0; index < flat.length; index += 2) {
      offers.push({ userId: flat[index], at: Number(flat[index + 1]) });
    }
    return offers;
  }

  async rescheduleOffer({ userId, at }: ScheduledOffer, next: number | undefined): Promise<void> {
    await RESCHEDULE_OFFER.run(this.redis, [this.offers], [userId, at, next ?? '', OFFERS_TTL_MS]);
  }

  async claimUnacknowledged(now: number, limit: number): Promise<UnacknowledgedNotification[]> {
    if (this.unacknowledgedMs === undefined) return [];
    const flat = (await CLAIM_UNACKNOWLEDGED.run(
      this.redis,
      [this.keys.usersSlot],
      [this.prefix, now, limit],
    )) as string[];
    const claimed: UnacknowledgedNotification[] = [];
    for (let index = 0; index < flat.length; index += 2) {
      claimed.push({
        userId: flat[index],
        notification: JSON.parse(flat[index + 1]) as Notification,
      });
    }
    return claimed;
  }
}
