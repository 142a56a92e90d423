import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsGateway } from './notifications.gateway.js';
import { NotificationsService } from './notifications.service.js';
import { ReofferScheduler } from './reoffer-scheduler.js';

const PROVIDERS = [NotificationsService, ReofferScheduler, NotificationsGateway];

/** Notifications to users, delivered at least once until acknowledged. */
@Module({
  imports: [RoomsModule],
  controllers: [NotificationsController],
  providers: PROVIDERS,
  exports: [NotificationsService],
})
export class NotificationsModule {}
