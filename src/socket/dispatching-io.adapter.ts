import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Server, ServerOptions } from 'socket.io';
import type { ClientSocket } from '../common/client-socket.js';
import { EventDispatcher, type SocketSession } from './event-dispatcher.js';
import { HandshakeAdmission } from './handshake-admission.js';

/**
 * Nest's IoAdapter builds an rxjs chain per event and keeps a subscription per handler per
 * socket. This adapter hands every event of a socket to the EventDispatcher through one `onAny`
 * listener instead (the dispatcher's handler table is shared by all sockets), gives every socket
 * the same `disconnect` listener for all gateways, applies the server options that come from
 * configuration, and puts the handshake rate limit before every other middleware.
 */
export class DispatchingIoAdapter extends IoAdapter {
  private readonly sessions = new WeakMap<ClientSocket, SocketSession>();
  /** One listener shared by every socket (Socket.IO calls it with the socket as `this`). */
  private readonly onDisconnect: (this: ClientSocket, reason: string) => void;
  private readonly dispatcher: EventDispatcher;
  private readonly handshakeAdmission: HandshakeAdmission;

  constructor(
    app: INestApplicationContext,
    private readonly serverOptions: Partial<ServerOptions>,
  ) {
    super(app);
    this.dispatcher = app.get(EventDispatcher);
    const dispatcher = this.dispatcher;
    this.onDisconnect = function (this: ClientSocket, reason: string) {
      dispatcher.disconnected(this, reason);
    };
    this.handshakeAdmission = app.get(HandshakeAdmission);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      ...this.serverOptions,
    } as ServerOptions);
    // Here rather than in a gateway: the first middleware, whatever order Nest inits gateways in.
    server.use(this.handshakeAdmission.middleware);
    return server;
  }

  /**
   * Nest calls this once per gateway for each new socket, with that gateway's handlers bound to the
   * socket; they are not kept, since the dispatcher's table already has every handler. The first
   * call gives the socket its rate-limit session and its two listeners.
   */
  override bindMessageHandlers(socket: ClientSocket, _handlers: MessageMappingProperties[]): void {
    if (this.sessions.has(socket)) return;
    const session = this.dispatcher.createSession();
    this.sessions.set(socket, session);
    // Socket.IO's parser accepts numbers as event names too; the contract's names are strings
    // (and so is the `event` of the `error` event that answers an unknown one).
    socket.onAny((event: string | number, ...args: unknown[]) =>
      this.dispatcher.dispatch(socket, session, String(event), args),
    );
    socket.on('disconnect', this.onDisconnect);
  }

  /**
   * Nest calls this once per gateway for each new socket with a callback made for that socket;
   * none is kept. The shared listener added with the socket's session has the dispatcher call
   * the gateways' `handleDisconnect` instead.
   */
  override bindClientDisconnect(): void {}
}
