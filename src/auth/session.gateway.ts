import {
  ConnectedSocket,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import { RefreshSessionDto } from './session.dto.js';
import { SessionLifetime } from './session-lifetime.js';
import { identityOf, type ClientSocket } from '../common/client-socket.js';
import { Payload } from '../common/payload.decorator.js';
import { ClientEvents, type ReplyData } from '@switchboard/contract';

/** A token's lifetime on its socket: `session:expiring`, `session:refresh`, and the end at `exp`. */
@WebSocketGateway()
export class SessionGateway implements OnGatewayConnection, OnGatewayDisconnect {
  constructor(private readonly lifetime: SessionLifetime) {}

  handleConnection(socket: ClientSocket): void {
    this.lifetime.began(socket.id, identityOf(socket));
  }

  handleDisconnect(socket: ClientSocket): void {
    this.lifetime.ended(socket.id);
  }

  @SubscribeMessage(ClientEvents.sessionRefresh)
  async refresh(
    @ConnectedSocket() socket: ClientSocket,
    @Payload(RefreshSessionDto) { token }: RefreshSessionDto,
  ): Promise<ReplyData<typeof ClientEvents.sessionRefresh>> {
    // Kept in socket.data, so that a recovered session comes back with the refreshed identity.
    socket.data.user = await this.lifetime.refresh(socket.id, identityOf(socket), token);
    return { expiresAt: socket.data.user.expiresAt ?? null };
  }
}
