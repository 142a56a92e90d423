import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { HEALTH_CHECKS, type HealthCheck } from '../health/health-check.js';
import { MemoryHistoryStore } from './memory/memory-history.store.js';
import { MemoryPendingNotificationStore } from './memory/memory-pending-notification.store.js';
import { MemoryPresenceStore } from './memory/memory-presence.store.js';
import { HISTORY_STORE, PENDING_NOTIFICATION_STORE, PRESENCE_STORE } from './stores.js';

/** How many unacknowledged notifications are kept, per user and in all; the oldest go first. */
export const PENDING_NOTIFICATION_LIMITS = { perUser: 1000, total: 100_000 } as const;

/** The in-process stores, the single-node default. */
@Global()
@Module({
  providers: [
    {
      provide: HISTORY_STORE,
      useFactory: (config: AppConfig) => new MemoryHistoryStore(config.historyLimit),
      inject: [AppConfig],
    },
    { provide: PRESENCE_STORE, useFactory: () => new MemoryPresenceStore() },
    {
      provide: PENDING_NOTIFICATION_STORE,
      useFactory: () => new MemoryPendingNotificationStore(PENDING_NOTIFICATION_LIMITS),
    },
    { provide: HEALTH_CHECKS, useValue: [] satisfies HealthCheck[] },
  ],
  exports: [HISTORY_STORE, PRESENCE_STORE, PENDING_NOTIFICATION_STORE, HEALTH_CHECKS],
})
export class StorageModule {}
