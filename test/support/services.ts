import { Test, type TestingModule } from '@nestjs/testing';
import { pino } from 'pino';
import { Authenticator } from '../../src/auth/authenticator.js';
import { RoomGrants } from '../../src/auth/room-grants.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import { HookClient } from '../../src/hooks/hook-client.js';
import { ConnectHook } from '../../src/hooks/connect-hook.js';
import { JoinHook } from '../../src/hooks/join-hook.js';
import { PublishHook } from '../../src/hooks/publish-hook.js';
import { APP_LOGGER } from '../../src/logging/logger.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { NotificationsService } from '../../src/notifications/notifications.service.js';
import { ReofferScheduler } from '../../src/notifications/reoffer-scheduler.js';
import { Delivery } from '../../src/realtime/delivery.js';
import { LocalSockets } from '../../src/realtime/local-sockets.js';
import { ChatService } from '../../src/rooms/chat.service.js';
import { ModeratedMessages } from '../../src/rooms/moderated-messages.js';
import { RoomsService } from '../../src/rooms/rooms.service.js';
import { MemoryHistoryStore } from '../../src/storage/memory/memory-history.store.js';
import { MemoryIdempotencyStore } from '../../src/storage/memory/memory-idempotency.store.js';
import { MemoryPendingNotificationStore } from '../../src/storage/memory/memory-pending-notification.store.js';
import { MemoryPresenceStore } from '../../src/storage/memory/memory-presence.store.js';
import { historyLimitsOf } from '../../src/storage/storage.module.js';
import { MemoryUserSocketsStore } from '../../src/storage/memory/memory-user-sockets.store.js';
import {
  HISTORY_STORE,
  IDEMPOTENCY_STORE,
  PENDING_NOTIFICATION_STORE,
  PRESENCE_STORE,
  STORE_CONNECTION,
  USER_SOCKETS_STORE,
  type StoreConnection,
} from '../../src/storage/stores.js';
import { MemoryWebhookQueue } from '../../src/storage/memory/memory-webhook-queue.js';
import { WEBHOOK_QUEUE, webhookQueueLimitsOf } from '../../src/storage/webhook-queue.js';
import {
  DEPARTURE_SCHEDULE,
  departureWiringOf,
  unacknowledgedMsOf,
} from '../../src/storage/departures.js';
import { MemoryDepartureSchedule } from '../../src/storage/memory/memory-departure-schedule.js';
import { DepartureClaimer } from '../../src/webhooks/departure-claimer.js';
import { PresenceEvents } from '../../src/webhooks/presence-events.js';
import { UnacknowledgedNotifications } from '../../src/webhooks/unacknowledged-notifications.js';
import { WebhookOutbox } from '../../src/webhooks/webhook-outbox.js';
import { Webhooks } from '../../src/webhooks/webhooks.js';
import { FakeDelivery, FakeLocalSockets } from './fake-realtime.js';

export interface ServiceFixture {
  moduleRef: TestingModule;
  delivery: FakeDelivery;
  localSockets: FakeLocalSockets;
  history: MemoryHistoryStore;
  pending: MemoryPendingNotificationStore;
  userSockets: MemoryUserSocketsStore;
  storeConnection: FakeStoreConnection;
  /** The webhook queue when `env` sets WEBHOOK_URL, else null (webhooks off). */
  webhookQueue: MemoryWebhookQueue | null;
  /** The presence departures while some presence event is sent, else null. */
  departures: MemoryDepartureSchedule | null;
}

/** The stores' connection as a test drives it: `returned()` says that they answer again. */
export class FakeStoreConnection implements StoreConnection {
  private readonly listeners: (() => void)[] = [];

  onReturn(listener: () => void): void {
    this.listeners.push(listener);
  }

  returned(): void {
    for (const listener of this.listeners) listener();
  }
}

/**
 * The domain services wired by Nest as in the application, over memory stores and a delivery
 * that records instead of emitting. `env` configures them like the process environment would.
 */
export async function createServices(env: Record<string, string> = {}): Promise<ServiceFixture> {
  const config = loadConfig(env);
  const delivery = new FakeDelivery();
  const localSockets = new FakeLocalSockets();
  const history = new MemoryHistoryStore(historyLimitsOf(config));
  const pending = new MemoryPendingNotificationStore(
    { perUser: 100, total: 1000 },
    unacknowledgedMsOf(config.webhooks),
  );
  const wiring = departureWiringOf(config.webhooks);
  const delayMs = (wiring.presence ?? wiring.userSockets)?.delayMs;
  const departures = delayMs === undefined ? null : new MemoryDepartureSchedule(delayMs);
  const userSockets = new MemoryUserSocketsStore((wiring.userSockets && departures) ?? undefined);
  const storeConnection = new FakeStoreConnection();
  const webhookQueue =
    config.webhooks &&
    new MemoryWebhookQueue(
      webhookQueueLimitsOf(config.webhooks.concurrency, config.webhooks.queueMax),
    );
  const moduleRef = await Test.createTestingModule({
    providers: [
      RoomsService,
      ChatService,
      ModeratedMessages,
      HookClient,
      PublishHook,
      JoinHook,
      ConnectHook,
      NotificationsService,
      ReofferScheduler,
      RoomGrants,
      Authenticator,
      {
        provide: PRESENCE_STORE,
        useValue: new MemoryPresenceStore((wiring.presence && departures) ?? undefined),
      },
      { provide: HISTORY_STORE, useValue: history },
      { provide: IDEMPOTENCY_STORE, useValue: new MemoryIdempotencyStore(1000) },
      { provide: PENDING_NOTIFICATION_STORE, useValue: pending },
      MetricsService,
      { provide: USER_SOCKETS_STORE, useValue: userSockets },
      { provide: STORE_CONNECTION, useValue: storeConnection },
      { provide: Delivery, useValue: delivery },
      { provide: LocalSockets, useValue: localSockets },
      { provide: AppConfig, useValue: config },
      { provide: APP_LOGGER, useValue: pino({ level: 'silent' }) },
      { provide: WEBHOOK_QUEUE, useValue: webhookQueue ?? null },
      WebhookOutbox,
      Webhooks,
      PresenceEvents,
      DepartureClaimer,
      UnacknowledgedNotifications,
      { provide: DEPARTURE_SCHEDULE, useValue: departures },
    ],
  }).compile();
  return {
    moduleRef,
    delivery,
    localSockets,
    history,
    pending,
    userSockets,
    storeConnection,
    webhookQueue: webhookQueue ?? null,
    departures,
  };
}
