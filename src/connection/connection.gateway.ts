import { Inject } from '@nestjs/common';
import {
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { Authenticator, newRoomsCounterOf } from '../auth/authenticator.js';
import { AppError } from '../common/app-error.js';
import { identityOf, type ClientSocket, type SwitchboardServer } from '../common/client-socket.js';
import {
  ClientEvents,
  ServerEvents,
  userRoom,
  type ReplyData,
  type Welcome,
} from '@switchboard/contract';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { LocalSockets } from '../realtime/local-sockets.js';
import { SocketServer } from '../realtime/socket-server.js';
import { publicUser, RoomsService } from '../rooms/rooms.service.js';

const UNAUTHORIZED_HANDSHAKE = () =>
  Object.assign(new Error('unauthorized'), { data: { code: 'UNAUTHORIZED' } });
const UNAVAILABLE_HANDSHAKE = () =>
  Object.assign(new Error('unavailable'), { data: { code: 'UNAVAILABLE' } });

/** Handshake, welcome, latency pings, and what a connection's start and end mean for the rest. */
@WebSocketGateway()
export class ConnectionGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly cleanUps = new Set<Promise<void>>();

  constructor(
    private readonly authenticator: Authenticator,
    private readonly localSockets: LocalSockets,
    private readonly socketServer: SocketServer,
    private readonly rooms: RoomsService,
    private readonly notifications: NotificationsService,
    private readonly metrics: MetricsService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(server: SwitchboardServer): void {
    this.socketServer.attach(server);
    server.use((socket: ClientSocket, next) => {
      const { auth, headers } = socket.handshake;
      const handshake = {
        headers,
        ip: socket.data.clientAddress,
        transport: socket.conn.transport.name,
      };
      this.authenticator.authenticate(auth, handshake).then(
        (user) => {
          socket.data.user = user;
          socket.data.newRoomsCounter = newRoomsCounterOf(user, socket.data.clientAddress);
          next();
        },
        (error: unknown) => {
          // The connect hook's backend not answering is no verdict on the client: retry later.
          const unavailable = error instanceof AppError && error.code === 'UNAVAILABLE';
          this.metrics.handshakeRefused(unavailable ? 'unavailable' : 'unauthorized');
          this.logger.info(
            { socketId: socket.id, reason: (error as Error).message },
            'handshake refused',
          );
          next(unavailable ? UNAVAILABLE_HANDSHAKE() : UNAUTHORIZED_HANDSHAKE());
        },
      );
    });
  }

  async handleConnection(socket: ClientSocket): Promise<void> {
    const user = identityOf(socket);
    this.metrics.socketConnected();
    if (!socket.recovered) {
      // Over Redis, this waits until what is sent to the user reaches this node. While Redis is
      // away that fails, and the node subscribes again by itself once Redis is back.
      await Promise.resolve(socket.join(userRoom(user.id))).catch(() => undefined);
    }
    const welcome: Welcome = {
      socketId: socket.id,
      user: publicUser(user),
      recovered: socket.recovered,
      serverTime: Date.now(),
    };
    socket.emit(ServerEvents.welcome, welcome);
    this.metrics.eventSent(ServerEvents.welcome);
    this.logger.debug(
      { socketId: socket.id, userId: user.id, recovered: socket.recovered },
      'connected',
    );
    try {
      if (socket.recovered)
        await this.rooms.recovered(user, socket.id, this.localSockets.chatRoomsOf(socket.id));
      await this.notifications.redeliver(user.id, [socket.id]);
    } catch (error) {
      this.logger.error(
        { err: error, socketId: socket.id, userId: user.id },
        'connection set-up failed',
      );
    }
  }

  async handleDisconnect(socket: ClientSocket, reason?: string): Promise<void> {
    this.metrics.socketDisconnected(socket, reason ?? '');
    const user = identityOf(socket);
    this.logger.debug({ socketId: socket.id, userId: user.id, reason }, 'disconnected');
    const cleanUp = this.rooms
      .disconnected(user, socket.id)
      .catch((error: unknown) =>
        this.logger.error(
          { err: error, socketId: socket.id, userId: user.id },
          'presence clean-up failed',
        ),
      );
    this.cleanUps.add(cleanUp);
    await cleanUp;
    this.cleanUps.delete(cleanUp);
  }

  /** Resolves once the clean-up of every socket that has disconnected so far is done. */
  async settled(): Promise<void> {
    await Promise.all(this.cleanUps);
  }

  @SubscribeMessage(ClientEvents.sessionPing)
  ping(): ReplyData<typeof ClientEvents.sessionPing> {
    return { serverTime: Date.now() };
  }
}
