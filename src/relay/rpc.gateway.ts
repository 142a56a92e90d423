import { ConnectedSocket, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { identityOf, type ClientSocket } from '../common/client-socket.js';
import { ClientEvents, type ReplyData } from '@switchboard/contract';
import { RpcHook } from '../hooks/rpc-hook.js';
import { publicUser } from '../rooms/rooms.service.js';
import { CustomEventPayload } from './relay.dto.js';
import { RpcDto } from './rpc.dto.js';

/** `rpc`: a request that the application's backend answers (HOOK_RPC_URL). */
@WebSocketGateway()
export class RpcGateway {
  constructor(private readonly rpc: RpcHook) {}

  @SubscribeMessage(ClientEvents.rpc)
  call(
    @ConnectedSocket() socket: ClientSocket,
    @CustomEventPayload(RpcDto) { method, data }: RpcDto,
  ): Promise<ReplyData<typeof ClientEvents.rpc>> {
    return this.rpc.call(publicUser(identityOf(socket)), socket.id, method, data);
  }
}
