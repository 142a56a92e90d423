import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { unacknowledgedMsOf } from '../storage/departures.js';
import { PENDING_NOTIFICATION_STORE, type PendingNotificationStore } from '../storage/stores.js';
import { ClaimRounds } from './claim-rounds.js';
import { Webhooks } from './webhooks.js';

/**
 * `notification.unacknowledged`: a user notification that no socket of its user acknowledged
 * within WEBHOOK_UNACKNOWLEDGED_MS of its acceptance, whether the user is online or not; told once
 * (the store gives each to one claim, on any node), in its user's partition. Runs only while that
 * type is sent.
 */
@Injectable()
export class UnacknowledgedNotifications extends ClaimRounds implements OnApplicationBootstrap {
  constructor(
    @Inject(PENDING_NOTIFICATION_STORE)
    private readonly pendingNotifications: PendingNotificationStore,
    private readonly webhooks: Webhooks,
    private readonly config: AppConfig,
    @Inject(APP_LOGGER) logger: Logger,
  ) {
    super('unacknowledged notifications', logger);
  }

  onApplicationBootstrap(): void {
    const waitMs = unacknowledgedMsOf(this.config.webhooks);
    if (waitMs !== undefined) this.startRounds(waitMs);
  }

  protected async claimAndTell(now: number, limit: number): Promise<number> {
    const claimed = await this.pendingNotifications.claimUnacknowledged(now, limit);
    for (const { userId, notification } of claimed) {
      this.webhooks.record(
        'notification.unacknowledged',
        { userId, notification },
        `user:${userId}`,
      );
    }
    return claimed.length;
  }
}
