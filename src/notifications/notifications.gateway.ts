import { ConnectedSocket, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { identityOf, type ClientSocket } from '../common/client-socket.js';
import { Payload } from '../common/payload.decorator.js';
import { ClientEvents, type ReplyData } from '@switchboard/contract';
import { SendNotificationDto } from './notifications.dto.js';
import { NotificationsService } from './notifications.service.js';

@WebSocketGateway()
export class NotificationsGateway {
  constructor(private readonly notifications: NotificationsService) {}

  @SubscribeMessage(ClientEvents.notificationSend)
  send(
    @ConnectedSocket() socket: ClientSocket,
    @Payload(SendNotificationDto) notification: SendNotificationDto,
  ): Promise<ReplyData<typeof ClientEvents.notificationSend>> {
    return this.notifications.send(
      { kind: 'user', identity: identityOf(socket), socketId: socket.id },
      notification,
    );
  }
}
