import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ADMIN_ROLE } from '../auth/authenticator.js';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { ServerEvents } from '../contract/events.js';
import type { Identity, Notification, User } from '../contract/types.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { Broadcaster, type Audience } from '../realtime/broadcaster.js';
import { publicUser, RoomsService } from '../rooms/rooms.service.js';
import { PENDING_NOTIFICATION_STORE, type PendingNotificationStore } from '../storage/stores.js';
import type { SendNotificationDto, TargetDto } from './notifications.dto.js';

/** Who sends: a connected user (with the socket they send from) or another backend (`system`). */
export type Sender =
  { kind: 'user'; identity: Identity; socketId: string } | { kind: 'system'; user: User };

/**
 * Notifications to a user are delivered at least once: kept until one of the user's sockets
 * acknowledges, and offered again on each new connection of that user. Room and everyone
 * notifications are best-effort broadcasts.
 */
@Injectable()
export class NotificationsService {
  constructor(
    @Inject(PENDING_NOTIFICATION_STORE)
    private readonly pendingNotifications: PendingNotificationStore,
    private readonly rooms: RoomsService,
    private readonly broadcaster: Broadcaster,
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
      await this.pendingNotifications.add(audience.userId, notification);
      return {
        id: notification.id,
        recipients: await this.deliver(audience.userId, audience, notification),
      };
    }
    const recipients = await this.broadcaster.sendExpectingAck(
      audience,
      ServerEvents.notification,
      notification,
      this.config.notifyAckTimeoutMs,
    );
    return { id: notification.id, recipients };
  }

  /** Offers a newly connected socket everything its user has not acknowledged, oldest first. */
  async redeliver(userId: string, socketId: string): Promise<void> {
    const pending = await this.pendingNotifications.pending(userId);
    // One after another, so that they reach the client in the order they were sent.
    for (const notification of pending) {
      await this.deliver(userId, { socketId }, notification);
    }
  }

  /** Sends to the audience and forgets the notification once any socket of the user acknowledges it. */
  private async deliver(
    userId: string,
    audience: Audience,
    notification: Notification,
  ): Promise<number> {
    const delivery = await this.broadcaster.sendToEachWithAck(
      audience,
      ServerEvents.notification,
      notification,
      this.config.notifyAckTimeoutMs,
    );
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
    return delivery.sent;
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
