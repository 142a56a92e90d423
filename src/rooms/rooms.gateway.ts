import { ConnectedSocket, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { identityOf, type ClientSocket } from '../common/client-socket.js';
import { Payload } from '../common/payload.decorator.js';
import { ClientEvents, type ReplyData } from '@switchboard/contract';
import { JoinRoomDto, RoomDto } from './rooms.dto.js';
import { RoomsService } from './rooms.service.js';

@WebSocketGateway()
export class RoomsGateway {
  constructor(private readonly rooms: RoomsService) {}

  @SubscribeMessage(ClientEvents.roomJoin)
  join(
    @ConnectedSocket() socket: ClientSocket,
    @Payload(JoinRoomDto) { room, after, token }: JoinRoomDto,
  ): Promise<ReplyData<typeof ClientEvents.roomJoin>> {
    return this.rooms.join(identityOf(socket), socket.id, room, after, token);
  }

  @SubscribeMessage(ClientEvents.roomLeave)
  leave(
    @ConnectedSocket() socket: ClientSocket,
    @Payload(RoomDto) { room }: RoomDto,
  ): Promise<ReplyData<typeof ClientEvents.roomLeave>> {
    return this.rooms.leave(identityOf(socket), socket.id, room);
  }

  @SubscribeMessage(ClientEvents.roomMembers)
  members(
    @ConnectedSocket() socket: ClientSocket,
    @Payload(RoomDto) { room }: RoomDto,
  ): Promise<ReplyData<typeof ClientEvents.roomMembers>> {
    return this.rooms.members(socket.id, room);
  }
}
