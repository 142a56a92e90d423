import { ConnectedSocket, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { identityOf, type ClientSocket } from '../common/client-socket.js';
import { ClientEvents, type ReplyData } from '@switchboard/contract';
import { CustomEventPayload, RoomEmitDto, UserEmitDto } from './relay.dto.js';
import { RelayService } from './relay.service.js';

@WebSocketGateway()
export class RelayGateway {
  constructor(private readonly relay: RelayService) {}

  @SubscribeMessage(ClientEvents.roomEmit)
  toRoom(
    @ConnectedSocket() socket: ClientSocket,
    @CustomEventPayload(RoomEmitDto) emit: RoomEmitDto,
  ): Promise<ReplyData<typeof ClientEvents.roomEmit>> {
    return this.relay.toRoom(
      { kind: 'user', identity: identityOf(socket), socketId: socket.id },
      emit,
    );
  }

  @SubscribeMessage(ClientEvents.userEmit)
  toUser(
    @ConnectedSocket() socket: ClientSocket,
    @CustomEventPayload(UserEmitDto) emit: UserEmitDto,
  ): Promise<ReplyData<typeof ClientEvents.userEmit>> {
    return this.relay.toUser(
      { kind: 'user', identity: identityOf(socket), socketId: socket.id },
      emit,
    );
  }
}
