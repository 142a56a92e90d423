import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Server, ServerOptions } from 'socket.io';
import type { ClientSocket } from '../common/client-socket.js';
import { EventDispatcher, type EventHandler, type SocketSession } from './event-dispatcher.js';
import { HandshakeAdmission } from './handshake-admission.js';

/**
 * Nest's IoAdapter builds an rxjs chain per event and keeps a subscription per handler per
 * socket. This adapter hands every event of a socket to the EventDispatcher through one `onAny`
 * listener instead, applies the server options that come from configuration, and puts the
 * handshake rate limit before every other middleware.
 */
export class DispatchingIoAdapter extends IoAdapter {
  private readonly sessions = new WeakMap<ClientSocket, SocketSession>();
  private readonly dispatcher: EventDispatcher;
  private readonly handshakeAdmission: HandshakeAdmission;

  constructor(
    app: INestApplicationContext,
    private readonly serverOptions: Partial<ServerOptions>,
  ) {
    super(app);
    this.dispatcher = app.get(EventDispatcher);
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

  override bindMessageHandlers(socket: ClientSocket, handlers: MessageMappingProperties[]): void {
    let session = this.sessions.get(socket);
    if (!session) {
      const created = this.dispatcher.createSession();
      session = created;
      this.sessions.set(socket, created);
      // Socket.IO's parser accepts numbers as event names too; the contract's names are strings
      // (and so is the `event` of the `error` event that answers an unknown one).
      socket.onAny((event: string | number, ...args: unknown[]) =>
        this.dispatcher.dispatch(socket, created, String(event), args),
      );
    }
    for (const { message, callback } of handlers) {
      this.dispatcher.register(session, String(message), callback as EventHandler);
    }
  }
}
