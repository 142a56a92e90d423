import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { User } from '@switchboard/contract';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { type LocalSocket, LocalSockets } from '../realtime/local-sockets.js';
import {
  PENDING_NOTIFICATION_STORE,
  STORE_CONNECTION,
  USER_SOCKETS_STORE,
  type PendingNotificationStore,
  type ScheduledOffer,
  type StoreConnection,
  type UserSocketsStore,
} from '../storage/stores.js';
import { NotificationsService } from './notifications.service.js';
import { nextOfferAt } from './reoffer-schedule.js';

/** A round looks for due offers every NOTIFY_ACK_TIMEOUT_MS, and at least this often. */
export const REOFFER_ROUND_INTERVAL_MAX_MS = 1000;
/** The due users one round offers again at most; the others wait for the next round. */
const ROUND_MAX_USERS = 500;
/** The users offered at once after the stores' return, so that a big node sends in steps. */
const RETURN_BATCH_USERS = 100;

/**
 * Offers the users whose sockets this node holds what they have not acknowledged, without waiting
 * for a reconnection: after NOTIFY_ACK_TIMEOUT_MS, then at doubling intervals up to 60 seconds
 * (see nextOfferAt), until one of their sockets acknowledges. The schedule lives in the store, set
 * in the same step as a notification is stored for every node that holds a socket of its user, so
 * that it holds whatever happens to the node that accepted it and to that node's broadcast.
 *
 * Each round is one store read of this node's due offers, whatever the number of sockets; a due
 * user costs a read of what they have pending, the offers, and a write of their next offer. When
 * the stores answer again after an outage, every user of this node is offered what they have.
 */
@Injectable()
export class ReofferScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private failing = false;
  /** The users being offered right now: one offer at a time per user keeps them in order. */
  private readonly offering = new Set<string>();

  constructor(
    @Inject(PENDING_NOTIFICATION_STORE)
    private readonly pendingNotifications: PendingNotificationStore,
    @Inject(USER_SOCKETS_STORE) private readonly userSockets: UserSocketsStore,
    @Inject(STORE_CONNECTION) private readonly storeConnection: StoreConnection,
    private readonly notifications: NotificationsService,
    private readonly localSockets: LocalSockets,
    private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const interval = Math.min(this.config.notifyAckTimeoutMs, REOFFER_ROUND_INTERVAL_MAX_MS);
    this.timer = setInterval(() => void this.offerDue(), interval);
    this.storeConnection.onReturn(() => void this.offerEverythingHere());
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round now (or the one under way); logged when it fails, never rejects. */
  offerDue(): Promise<void> {
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  private async runRound(): Promise<void> {
    try {
      const due = await this.pendingNotifications.dueOffers(Date.now(), ROUND_MAX_USERS);
      await Promise.all(due.map((offer) => this.offerAgain(offer)));
      if (this.failing) this.logger.info('pending notifications are offered again as due');
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        this.logger.error({ err: error }, 'offering pending notifications again failed; retrying');
      }
      this.failing = true;
    }
  }

  private async offerAgain(offer: ScheduledOffer): Promise<void> {
    const { userId } = offer;
    const sockets = this.localSockets.socketsHereOf(userId);
    if (sockets.length === 0) {
      // Gone from this node: their next connection, wherever it is, offers it.
      await this.pendingNotifications.rescheduleOffer(offer, undefined);
      return;
    }
    await this.alone(userId, async () => {
      const offered = await this.notifications.offerHere(userId, sockets.map(socketIdOf));
      // The schedule started at the newest notification or connection, whichever came last.
      const start = Math.max(
        ...offered.map((notification) => notification.ts),
        ...sockets.map((socket) => socket.connectedAt),
      );
      const next =
        offered.length === 0
          ? undefined
          : nextOfferAt(start, offer.at, Date.now(), this.config.notifyAckTimeoutMs);
      await this.pendingNotifications.rescheduleOffer(offer, next);
    });
  }

  /**
   * After an outage: this node's sockets are registered again (Redis may have lost them, or not
   * answered when they connected), so that what is accepted from now on is scheduled here too,
   * then every user is offered what they have pending and their schedule restarts.
   */
  private async offerEverythingHere(): Promise<void> {
    const users = [...socketsByUser(this.localSockets.socketsHere())];
    try {
      for (let first = 0; first < users.length; first += RETURN_BATCH_USERS) {
        const batch = users.slice(first, first + RETURN_BATCH_USERS);
        await Promise.all(
          batch.map(([userId, { user, socketIds }]) =>
            this.alone(userId, async () => {
              await Promise.all(
                socketIds.map((socketId) => this.userSockets.restore(user, socketId)),
              );
              await this.notifications.redeliver(userId, socketIds);
            }),
          ),
        );
      }
    } catch (error) {
      // The next rounds offer what is due; the rest waits for a connection or the next return.
      this.logger.error({ err: error }, 'offering pending notifications after an outage failed');
    }
  }

  /** Skipped when the user is being offered already: the next round finds their offer due, or moved. */
  private async alone(userId: string, offer: () => Promise<void>): Promise<void> {
    if (this.offering.has(userId)) return;
    this.offering.add(userId);
    try {
      await offer();
    } finally {
      this.offering.delete(userId);
    }
  }
}

function socketIdOf(socket: LocalSocket): string {
  return socket.socketId;
}

function socketsByUser(sockets: LocalSocket[]): Map<string, { user: User; socketIds: string[] }> {
  const byUser = new Map<string, { user: User; socketIds: string[] }>();
  for (const { userId, userName, socketId } of sockets) {
    const known = byUser.get(userId);
    if (known) known.socketIds.push(socketId);
    else byUser.set(userId, { user: { id: userId, name: userName }, socketIds: [socketId] });
  }
  return byUser;
}
