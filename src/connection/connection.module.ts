import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { ConnectionGateway } from './connection.gateway.js';

/**
 * A connection's start and end: the handshake's identity, the welcome, pings, presence clean-up and
 * notifications redelivered. Its own module, as it ties auth, rooms and notifications together
 * (in AuthModule it would close a circle with RoomsModule, which needs the grants).
 */
@Module({
  imports: [AuthModule, RoomsModule, NotificationsModule],
  providers: [ConnectionGateway],
  exports: [ConnectionGateway],
})
export class ConnectionModule {}
