import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Server, ServerOptions } from 'socket.io';
import type { ClientSocket } from '../common/client-socket.js';
import { EventDispatcher, type EventHandler, type SocketSession } from './event-dispatcher.js';

/**
 * Nest's IoAdapter builds an rxjs chain per event and keeps a subscription per handler per
 * socket. This adapter hands every event of a socket to the EventDispatcher through one `onAny`
 * listener instead, and applies the server options that come from configuration.
 */
export class DispatchingIoAdapter extends IoAdapter {
  private readonly sessions = new WeakMap<ClientSocket, SocketSession>();
  private readonly dispatcher: EventDispatcher;

  constructor(
    app: INestApplicationContext,
    private readonly serverOptions: Partial<ServerOptions>,
  ) {
    super(app);
    this.dispatcher = app.get(EventDispatcher);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    return super.createIOServer(port, { ...options, ...this.serverOptions } as ServerOptions);
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
