import { Global, Module } from '@nestjs/common';
import { DepartureClaimer } from './departure-claimer.js';
import { PresenceEvents } from './presence-events.js';
import { RoomEventWebhooks } from './room-event-webhooks.js';
import { UnacknowledgedNotifications } from './unacknowledged-notifications.js';
import { WebhookOutbox } from './webhook-outbox.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhookStatus } from './webhook-status.js';
import { WebhooksController } from './webhooks.controller.js';
import { Webhooks } from './webhooks.js';

const PROVIDERS = [
  WebhookOutbox,
  Webhooks,
  WebhookSender,
  WebhookStatus,
  PresenceEvents,
  DepartureClaimer,
  RoomEventWebhooks,
  UnacknowledgedNotifications,
];

/**
 * Events out to the application's backend. Global, so that every feature that is a source of
 * events injects `Webhooks` without importing this module.
 */
@Global()
@Module({
  controllers: [WebhooksController],
  providers: PROVIDERS,
  exports: [Webhooks, PresenceEvents, RoomEventWebhooks],
})
export class WebhooksModule {}
