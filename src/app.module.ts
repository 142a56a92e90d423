import { Module, type DynamicModule } from '@nestjs/common';
import { Authenticator } from './auth/authenticator.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { AppConfig } from './config/app-config.js';
import { ChatGateway } from './gateways/chat.gateway.js';
import { ConnectionGateway } from './gateways/connection.gateway.js';
import { EventDispatcher } from './gateways/event-dispatcher.js';
import { HandshakeAdmission } from './gateways/handshake-admission.js';
import { LimitsGateway } from './gateways/limits.gateway.js';
import { SlowReaderSweeper } from './gateways/slow-reader-sweeper.js';
import { SocketsPerUserService } from './limits/sockets-per-user.service.js';
import { NotificationsGateway } from './gateways/notifications.gateway.js';
import { RelayGateway } from './gateways/relay.gateway.js';
import { RoomsGateway } from './gateways/rooms.gateway.js';
import { SessionGateway } from './gateways/session.gateway.js';
import { SessionLifetime } from './auth/session-lifetime.js';
import { RoomGrants } from './auth/room-grants.js';
import { HEALTH_CHECKS, type HealthCheck } from './health/health-check.js';
import { HealthController } from './health/health.controller.js';
import { APP_LOGGER, type Logger } from './logging/logger.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { NotificationsService } from './notifications/notifications.service.js';
import { ReofferScheduler } from './notifications/reoffer-scheduler.js';
import { Delivery } from './realtime/delivery.js';
import { LocalSockets } from './realtime/local-sockets.js';
import { SessionEnds } from './realtime/session-ends.js';
import { SocketServer } from './realtime/socket-server.js';
import { RelayController } from './relay/relay.controller.js';
import { RelayService } from './relay/relay.service.js';
import { ChatService } from './rooms/chat.service.js';
import { PresenceKeeper } from './rooms/presence-keeper.js';
import { RoomsController } from './rooms/rooms.controller.js';
import { RoomsService } from './rooms/rooms.service.js';
import { StorageModule } from './storage/storage.module.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      // DiscoveryModule: the EventDispatcher finds the gateways whose handlers it dispatches to.
      imports: [DiscoveryModule, StorageModule.forRoot(config, logger)],
      controllers: [
        HealthController,
        MetricsController,
        NotificationsController,
        RoomsController,
        UsersController,
        RelayController,
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: APP_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        {
          provide: HEALTH_CHECKS,
          // Ready with Redis when it answers and this node's presence is registered in it again
          // after Redis lost it: until then, members of rooms would be refused as strangers.
          useFactory: (keeper: PresenceKeeper): HealthCheck[] =>
            config.redisUrl === undefined ? [] : [{ name: 'redis', probe: () => keeper.keepNow() }],
          inject: [PresenceKeeper],
        },
        Authenticator,
        SocketServer,
        Delivery,
        LocalSockets,
        SessionEnds,
        MetricsService,
        EventDispatcher,
        RoomsService,
        PresenceKeeper,
        ChatService,
        NotificationsService,
        ReofferScheduler,
        SlowReaderSweeper,
        SocketsPerUserService,
        HandshakeAdmission,
        LimitsGateway,
        ConnectionGateway,
        RoomsGateway,
        ChatGateway,
        NotificationsGateway,
        RelayService,
        RelayGateway,
        SessionLifetime,
        SessionGateway,
        RoomGrants,
        UsersService,
      ],
      exports: [
        AppConfig,
        APP_LOGGER,
        MetricsService,
        SocketServer,
        Delivery,
        LocalSockets,
        SessionEnds,
      ],
    };
  }
}
