import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ADMIN_ROLE } from '../auth/authenticator.js';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { ServerEvents, type Identity, type Notification, type User } from '@switchboard/contract';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { type AcknowledgedDelivery, Delivery } from '../realtime/delivery.js';
import { type Audience } from '../realtime/socket-server.js';
import { publicUser, RoomsService } from '../rooms/rooms.service.js';
import { PENDING_NOTIFICATION_STORE, type PendingNotificationStore } from '../storage/stores.js';
import type { SendNotificationDto, TargetDto } from './notifications.dto.js';

/** Who sends: a connected user (with the socket they send from) or another backend (`system`). */
export type Sender =
  { kind: 'user'; identity: Identity; socketId: string } | { kind: 'system'; user: User };

/**
 * Notifications to a user are delivered at least once: kept until one of the user's sockets
 * acknowledges, offered again on each new connection of that user, and to the sockets that stay
 * connected on a schedule (see ReofferScheduler). Room and everyone notifications are best-effort
 * broadcasts.
 */
@Injectable()
export class NotificationsService {
  constructor(
    @Inject(PENDING_NOTIFICATION_STORE)
    private readonly pendingNotifications: PendingNotificationStore,
    private readonly rooms: RoomsService,
    private readonly delivery: Delivery,
    private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async send(
    sender: Sender,
    { target, title, body, data }: SendNotificationDto,
  ): Promise<{ id: string; recipients: number }> {
    const audience = audienceOf(target);
    await this.authorize(sender, audience);
    const notification: Notification = {
      id: randomUUID(),
      title,
      body,
      ...(data === undefined ? {} : { data }),
      ts: Date.now(),
      from: sender.kind === 'user' ? publicUser(sender.identity) : sender.user,
    };
    if ('userId' in audience) {
      const offerAgainAt = notification.ts + this.config.notifyAckTimeoutMs;
      await this.pendingNotifications.add(audience.userId, notification, offerAgainAt);
      return {
        id: notification.id,
        recipients: await this.deliverStored(audience.userId, notification),
      };
    }
    const recipients = await this.delivery.sendExpectingAck(
      audience,
      ServerEvents.notification,
      notification,
      this.config.notifyAckTimeoutMs,
    );
    return { id: notification.id, recipients };
  }

  /**
   * Offers these sockets of this node everything the user has not acknowledged, oldest first, and
   * restarts the user's schedule of offers on this node: at a connection, and when the stores
   * answer again after an outage.
   */
  async redeliver(userId: string, socketIds: string[]): Promise<void> {
    const offered = await this.offerHere(userId, socketIds);
    if (offered.length > 0) {
      const offerAgainAt = Date.now() + this.config.notifyAckTimeoutMs;
      await this.pendingNotifications.scheduleOffer(userId, offerAgainAt);
    }
  }

  /** Offers these sockets of this node everything the user has not acknowledged, oldest first. */
  async offerHere(userId: string, socketIds: string[]): Promise<Notification[]> {
    const pending = await this.pendingNotifications.pending(userId);
    // One after another, so that they reach each client in the order they were sent.
    for (const notification of pending) {
      for (const socketId of socketIds) {
        const delivery = this.delivery.sendHereWithAck(
          socketId,
          ServerEvents.notification,
          notification,
          this.config.notifyAckTimeoutMs,
        );
        this.forgetOnceAcknowledged(userId, notification, delivery);
      }
    }
    return pending;
  }

  /**
   * Once stored, the notification is accepted whatever happens to this first offer: failing the
   * request would have the caller retry it and store a second copy under a new id. The nodes that
   * hold the user's sockets offer it on their schedule (set when it was stored).
   */
  private async deliverStored(userId: string, notification: Notification): Promise<number> {
    try {
      return await this.deliver(userId, notification);
    } catch (error) {
      this.logger.warn(
        { err: error, userId, notificationId: notification.id },
        'first offer failed; the nodes of its user offer it on their schedule',
      );
      return 0;
    }
  }

  /** Sends to every socket of the user, on every node. */
  private async deliver(userId: string, notification: Notification): Promise<number> {
    const delivery = await this.delivery.sendToEachWithAck(
      { userId },
      ServerEvents.notification,
      notification,
      this.config.notifyAckTimeoutMs,
    );
    this.forgetOnceAcknowledged(userId, notification, delivery);
    return delivery.sent;
  }

  /** Any socket of the user that acknowledges settles the notification for all of them. */
  private forgetOnceAcknowledged(
    userId: string,
    notification: Notification,
    delivery: AcknowledgedDelivery,
  ): void {
    void delivery.acknowledged
      .then((acknowledged) =>
        acknowledged ? this.pendingNotifications.acknowledge(userId, notification.id) : undefined,
      )
      .catch((error: unknown) =>
        this.logger.error(
          { err: error, userId, notificationId: notification.id },
          'acknowledgement not recorded',
        ),
      );
  }

  /** Checked before anything is stored or sent: a refusal leaves no trace. */
  private async authorize(sender: Sender, audience: Audience): Promise<void> {
    if (sender.kind === 'system') return;
    if ('all' in audience && !sender.identity.roles.includes(ADMIN_ROLE)) {
      throw new AppError('FORBIDDEN', `only the ${ADMIN_ROLE} role may notify everyone`);
    }
    if ('room' in audience) {
      this.rooms.assertMember(sender.socketId, audience.room);
    }
    if ('userId' in audience) {
      await this.rooms.assertMayAddress(sender.identity, audience.userId);
    }
  }
}

function audienceOf(target: TargetDto): Audience {
  if (target.userId !== undefined) return { userId: target.userId };
  if (target.room !== undefined) return { room: target.room };
  return { all: true };
}
