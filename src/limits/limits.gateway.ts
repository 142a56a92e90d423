import { Inject } from '@nestjs/common';
import {
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { identityOf, type ClientSocket, type SwitchboardServer } from '../common/client-socket.js';
import { SocketsPerUserService } from './sockets-per-user.service.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { SlowReaderSweeper } from '../socket/slow-reader-sweeper.js';

/**
 * The limits of docs/protocol.md "Limits" that act on connections rather than on events (the handshake
 * rate is the adapter's, see HandshakeAdmission).
 */
@WebSocketGateway()
export class LimitsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  constructor(
    private readonly slowReaders: SlowReaderSweeper,
    private readonly socketsPerUser: SocketsPerUserService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(server: SwitchboardServer): void {
    this.slowReaders.start(server);
  }

  /** A failure (Redis away) lets the socket in uncounted rather than refuse it. */
  async handleConnection(socket: ClientSocket): Promise<void> {
    const user = identityOf(socket);
    await this.socketsPerUser
      .connected(user, socket.id)
      .catch((error: unknown) =>
        this.logger.error(
          { err: error, socketId: socket.id, userId: user.id },
          'counting the socket failed',
        ),
      );
  }

  async handleDisconnect(socket: ClientSocket): Promise<void> {
    const user = identityOf(socket);
    await this.socketsPerUser
      .disconnected(user, socket.id)
      .catch((error: unknown) =>
        this.logger.error(
          { err: error, socketId: socket.id, userId: user.id },
          'uncounting the socket failed',
        ),
      );
  }
}
