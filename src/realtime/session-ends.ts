import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ServerEvents, type SessionEnded, type SessionEndReason } from '@switchboard/contract';
import { MetricsService } from '../metrics/metrics.service.js';
import { dropConnection } from './outgoing-buffer.js';
import { type Audience, SocketServer, roomOf } from './socket-server.js';

/** The request to the other nodes to end their sockets' sessions (Socket.IO's server-side emit). */
const END_SESSIONS = 'switchboard:end-sessions';

/** Ends sessions: those of an audience on every node, one socket's here, or every connection. */
@Injectable()
export class SessionEnds {
  /** Other nodes share the sockets' audiences (Redis): each ends its own sockets' sessions. */
  private readonly clustered: boolean;

  constructor(
    private readonly socketServer: SocketServer,
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.clustered = config.redis !== undefined;
    if (this.clustered) {
      socketServer.onAttach((server) =>
        server.on(END_SESSIONS, (audience: Audience, ended: SessionEnded) =>
          this.endLocalSessions(audience, ended),
        ),
      );
    }
  }

  /**
   * Ends the sessions of the audience, on every node: each socket gets `session:ended` and is
   * disconnected ("io server disconnect": the client does not reconnect by itself). Each node
   * does it to its own sockets, so that the event is written before the close, which lets it out
   * first (a broadcast and a disconnection sent through the adapter reach a node's own sockets in
   * the other order).
   */
  endSessions(audience: Audience, reason: SessionEndReason, message: string): void {
    this.endLocalSessions(audience, { reason, message });
    if (this.clustered)
      this.socketServer.io.serverSideEmit(END_SESSIONS, audience, { reason, message });
  }

  /** Ends the session of a socket of this node, as `endSessions` does, without asking the others. */
  endSessionHere(socketId: string, ended: SessionEnded): void {
    this.endLocalSessions({ socketId }, ended);
  }

  /** Closes every connection without a "server disconnect", so that clients reconnect by themselves. */
  dropAllConnections(): void {
    // Dropped, not closed: a close waits for a slow reader's backlog to drain, which may never
    // happen. What was not written yet is replayed by recovery or caught up with `after`.
    for (const socket of this.socketServer.allLocalSockets()) dropConnection(socket);
  }

  private endLocalSessions(audience: Audience, ended: SessionEnded): void {
    // Marked on the node that holds each socket, so that its disconnect counts under the reason.
    for (const socket of this.socketServer.localSocketsOf(audience)) {
      this.metrics.endingSession(socket, ended.reason);
    }
    // Emitted as a local broadcast: a socket's own emit goes through the cluster adapter when
    // connection state recovery is on, and would reach the client after the disconnection.
    const sockets = this.socketServer.io.local.in(roomOf(audience));
    sockets.emit(ServerEvents.sessionEnded, ended);
    this.metrics.eventSent(ServerEvents.sessionEnded);
    sockets.disconnectSockets(true);
  }
}
