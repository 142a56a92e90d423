import { randomUUID } from 'node:crypto';
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/app-config.js';
import type { RedisSettings } from '../config/redis-settings.js';
import type { Logger } from '../logging/logger.js';
import { ServerEvents, chatRoomOf } from '@switchboard/contract';
import { BoundedRecoveryAdapter } from './memory/bounded-recovery.adapter.js';
import { MemoryIdempotencyStore } from './memory/memory-idempotency.store.js';
import { MemoryHistoryStore } from './memory/memory-history.store.js';
import { MemoryPendingNotificationStore } from './memory/memory-pending-notification.store.js';
import { MemoryPresenceStore } from './memory/memory-presence.store.js';
import { MemoryUserSocketsStore } from './memory/memory-user-sockets.store.js';
import { MemoryWebhookQueue } from './memory/memory-webhook-queue.js';
import { channelSubscriberOf } from './redis/channel-subscriber.js';
import { RedisConnection } from './redis/redis-connection.js';
import { RoomChannelsAdapter } from './redis/room-channels.adapter.js';
import { RedisHistoryStore } from './redis/redis-history.store.js';
import { RedisIdempotencyStore } from './redis/redis-idempotency.store.js';
import { RedisKeys } from './redis/redis-keys.js';
import { RedisOutageLog } from './redis/redis-outage-log.js';
import { RedisPendingNotificationStore } from './redis/redis-pending-notification.store.js';
import { RedisPresenceStore } from './redis/redis-presence.store.js';
import { RedisUserSocketsStore } from './redis/redis-user-sockets.store.js';
import { RedisWebhookQueue } from './redis/redis-webhook-queue.js';
import {
  HISTORY_STORE,
  IDEMPOTENCY_STORE,
  NODE_TIMEOUT_MS,
  PENDING_NOTIFICATION_STORE,
  PRESENCE_STORE,
  STORE_CONNECTION,
  USER_SOCKETS_STORE,
  type HistoryLimits,
  type HistoryStore,
  type StoreConnection,
} from './stores.js';
import { DEPARTURE_SCHEDULE, departureWiringOf, unacknowledgedMsOf } from './departures.js';
import { MemoryDepartureSchedule } from './memory/memory-departure-schedule.js';
import { RedisDepartureSchedule } from './redis/redis-departure-schedule.js';
import { WEBHOOK_QUEUE, webhookQueueLimitsOf, type WebhookQueueLimits } from './webhook-queue.js';

/** How many unacknowledged notifications are kept, per user and in all; the oldest go first. */
export const PENDING_NOTIFICATION_LIMITS = { perUser: 1000, total: 100_000 } as const;

/**
 * How many answers of the server API one node keeps in memory for idempotency keys: an answer is
 * at most a message (a few KB), so this bounds them to tens of MB. With Redis, each key expires
 * after its 24 hours and nothing else bounds them.
 */
export const IDEMPOTENCY_MEMORY_ENTRIES = 10_000;

/**
 * How long a start waits for Redis to connect or to refuse (refused, it starts at once, not
 * ready). Only a Redis that neither answers nor refuses takes it all: it is small beside the
 * contract's second within which a node serves /health.
 */
const REDIS_START_WAIT_MS = 250;

/**
 * The Socket.IO adapter that the stores need. Either way it keeps at most RECOVERY_BUFFER_PACKETS
 * recent broadcasts for connection state recovery (with Redis: the adapter stream's length).
 */
export const SOCKET_IO_ADAPTER = Symbol('SOCKET_IO_ADAPTER');
export type SocketIoAdapter = ServerOptions['adapter'];

const STORE_TOKENS = [
  HISTORY_STORE,
  PRESENCE_STORE,
  PENDING_NOTIFICATION_STORE,
  USER_SOCKETS_STORE,
  IDEMPOTENCY_STORE,
  STORE_CONNECTION,
  WEBHOOK_QUEUE,
  DEPARTURE_SCHEDULE,
];

/** Memory is never away. */
const MEMORY_CONNECTION: StoreConnection = { onReturn: () => undefined };

/** The stores, in memory on one node (the default) or in Redis when it is configured. */
@Global()
@Module({})
export class StorageModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: StorageModule,
      providers:
        config.redis === undefined
          ? memoryProviders(config)
          : redisProviders(config, config.redis, logger),
      exports:
        config.redis === undefined
          ? [...STORE_TOKENS, SOCKET_IO_ADAPTER]
          : [...STORE_TOKENS, SOCKET_IO_ADAPTER, RedisOutageLog],
    };
  }
}

function memoryProviders(config: AppConfig): Provider[] {
  const departures = departureWiringOf(config.webhooks);
  const delayMs = (departures.presence ?? departures.userSockets)?.delayMs;
  const schedule = delayMs === undefined ? undefined : new MemoryDepartureSchedule(delayMs);
  return [
    // null while no presence event is sent: the stores then schedule nothing.
    { provide: DEPARTURE_SCHEDULE, useValue: schedule ?? null },
    { provide: HISTORY_STORE, useValue: new MemoryHistoryStore(historyLimitsOf(config)) },
    {
      provide: PRESENCE_STORE,
      useValue: new MemoryPresenceStore(departures.presence && schedule),
    },
    {
      provide: PENDING_NOTIFICATION_STORE,
      useValue: new MemoryPendingNotificationStore(
        PENDING_NOTIFICATION_LIMITS,
        unacknowledgedMsOf(config.webhooks),
      ),
    },
    {
      provide: USER_SOCKETS_STORE,
      useValue: new MemoryUserSocketsStore(departures.userSockets && schedule),
    },
    {
      provide: IDEMPOTENCY_STORE,
      useValue: new MemoryIdempotencyStore(IDEMPOTENCY_MEMORY_ENTRIES),
    },
    {
      provide: SOCKET_IO_ADAPTER,
      useValue: BoundedRecoveryAdapter.keeping(config.recoveryBufferPackets),
    },
    { provide: STORE_CONNECTION, useValue: MEMORY_CONNECTION },
    {
      provide: WEBHOOK_QUEUE,
      useFactory: () => {
        const limits = webhookQueueLimitsOfConfig(config);
        return limits === undefined ? null : new MemoryWebhookQueue(limits);
      },
    },
  ];
}

function redisProviders(config: AppConfig, settings: RedisSettings, logger: Logger): Provider[] {
  const keys = new RedisKeys(settings.keyPrefix);
  // This node in Redis: its sockets' presence, which sockets of a user it holds, and its offers.
  const nodeId = randomUUID();
  const departures = departureWiringOf(config.webhooks);
  const departureOptions = departures.presence ?? departures.userSockets;
  return [
    {
      // null while no presence event is sent: the stores then schedule nothing.
      provide: DEPARTURE_SCHEDULE,
      useFactory: (redis: RedisConnection) =>
        departureOptions === undefined
          ? null
          : new RedisDepartureSchedule(
              redis.commands,
              keys,
              nodeId,
              NODE_TIMEOUT_MS,
              departureOptions,
            ),
      inject: [RedisConnection],
    },
    {
      provide: RedisConnection,
      useFactory: async () => {
        const connection = new RedisConnection(settings, logger);
        await connection.firstAttempt(REDIS_START_WAIT_MS);
        return connection;
      },
    },
    {
      provide: RedisOutageLog,
      useFactory: (redis: RedisConnection) => redis.outageLog,
      inject: [RedisConnection],
    },
    {
      provide: HISTORY_STORE,
      useFactory: (redis: RedisConnection) =>
        new RedisHistoryStore(
          redis.commands,
          keys,
          historyLimitsOf(config),
          redis.durableWrites,
          webhookQueueLimitsOfConfig(config),
        ),
      inject: [RedisConnection],
    },
    {
      provide: PRESENCE_STORE,
      useFactory: (redis: RedisConnection) =>
        new RedisPresenceStore(redis.commands, keys, nodeId, departures.presence),
      inject: [RedisConnection],
    },
    {
      provide: PENDING_NOTIFICATION_STORE,
      useFactory: (redis: RedisConnection) =>
        new RedisPendingNotificationStore(
          redis.commands,
          keys,
          PENDING_NOTIFICATION_LIMITS,
          nodeId,
          unacknowledgedMsOf(config.webhooks),
          redis.durableWrites,
        ),
      inject: [RedisConnection],
    },
    { provide: STORE_CONNECTION, useExisting: RedisConnection },
    {
      provide: USER_SOCKETS_STORE,
      useFactory: (redis: RedisConnection) =>
        new RedisUserSocketsStore(
          redis.commands,
          keys,
          nodeId,
          NODE_TIMEOUT_MS,
          departures.userSockets,
        ),
      inject: [RedisConnection],
    },
    {
      provide: IDEMPOTENCY_STORE,
      useFactory: (redis: RedisConnection) => new RedisIdempotencyStore(redis.commands, keys),
      inject: [RedisConnection],
    },
    {
      provide: WEBHOOK_QUEUE,
      useFactory: (redis: RedisConnection) => {
        const limits = webhookQueueLimitsOfConfig(config);
        return limits === undefined ? null : new RedisWebhookQueue(redis.commands, keys, limits);
      },
      inject: [RedisConnection],
    },
    {
      provide: SOCKET_IO_ADAPTER,
      useFactory: (redis: RedisConnection, history: HistoryStore): SocketIoAdapter =>
        RoomChannelsAdapter.with({
          publisher: redis.commands,
          subscriber: channelSubscriberOf(redis.subscriber),
          channels: keys.channels,
          recoveryPackets: config.recoveryBufferPackets,
          sequenced: {
            event: ServerEvents.chatMessage,
            roomOf: chatRoomOf,
            lastOffset: (room) => history.lastOffset(room),
            after: (room, after, limit) => history.after(room, after, limit),
          },
        }),
      inject: [RedisConnection, HISTORY_STORE],
    },
  ];
}

/** The webhook queue's bounds; undefined while webhooks are off (no queue at all). */
function webhookQueueLimitsOfConfig(config: AppConfig): WebhookQueueLimits | undefined {
  const webhooks = config.webhooks;
  return webhooks && webhookQueueLimitsOf(webhooks.concurrency, webhooks.queueMax);
}

export function historyLimitsOf(config: AppConfig): HistoryLimits {
  return {
    perRoom: config.historyLimit,
    rooms: config.historyMaxRooms,
    evictIdleMs: config.historyEvictIdleSeconds * 1000,
    newRoomsPerHour: config.roomsNewPerHour,
  };
}
