import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { AppConfig } from './config/app-config.js';
import { ConnectionModule } from './connection/connection.module.js';
import { HEALTH_CHECKS, type HealthCheck } from './health/health-check.js';
import { HealthController } from './health/health.controller.js';
import { HooksModule } from './hooks/hooks.module.js';
import { LimitsModule } from './limits/limits.module.js';
import { APP_LOGGER, type Logger } from './logging/logger.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { Delivery } from './realtime/delivery.js';
import { LocalSockets } from './realtime/local-sockets.js';
import { SessionEnds } from './realtime/session-ends.js';
import { SocketServer } from './realtime/socket-server.js';
import { RelayModule } from './relay/relay.module.js';
import { PresenceKeeper } from './rooms/presence-keeper.js';
import { RoomsModule } from './rooms/rooms.module.js';
import { SocketModule } from './socket/socket.module.js';
import { StorageModule } from './storage/storage.module.js';
import { UsersModule } from './users/users.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** What every feature uses: settings, logger, metrics and the attached socket server's jobs. */
const SHARED_PROVIDERS = [MetricsService, SocketServer, Delivery, LocalSockets, SessionEnds];

/**
 * Nest connects the gateways in the order it meets their modules (depth first) and the dispatcher
 * calls their `handleDisconnect` in that order too: the limits see a socket first, then the
 * connection's welcome and clean-up, then the features, as when they shared one module.
 */
const FEATURES = [
  LimitsModule,
  ConnectionModule,
  SocketModule,
  AuthModule,
  RoomsModule,
  NotificationsModule,
  RelayModule,
  UsersModule,
];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      // Global: its shared providers reach every feature module without each importing them.
      global: true,
      imports: [StorageModule.forRoot(config, logger), WebhooksModule, HooksModule, ...FEATURES],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: APP_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        {
          provide: HEALTH_CHECKS,
          // Ready with Redis when it answers and this node's presence is registered in it again
          // after Redis lost it: until then, members of rooms would be refused as strangers.
          useFactory: (keeper: PresenceKeeper): HealthCheck[] =>
            config.redis === undefined ? [] : [{ name: 'redis', probe: () => keeper.keepNow() }],
          inject: [PresenceKeeper],
        },
        ...SHARED_PROVIDERS,
      ],
      exports: [AppConfig, APP_LOGGER, ...SHARED_PROVIDERS],
    };
  }
}
