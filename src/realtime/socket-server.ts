import { Injectable } from '@nestjs/common';
import type { ClientSocket, SwitchboardServer } from '../common/client-socket.js';
import { chatRoom, userRoom } from '@switchboard/contract';

/**
 * How long a cluster-wide look-up of sockets waits for the other nodes, so that an event that
 * needs one replies within the contract's 5 seconds even when a node or Redis does not answer.
 */
export const FETCH_SOCKETS_TIMEOUT_MS = 3000;

/** Whom a server event goes to. */
export type Audience = { room: string } | { userId: string } | { socketId: string } | { all: true };

/** The Socket.IO rooms of an audience; an empty room list is Socket.IO's "everyone". */
export function roomOf(audience: { userId: string } | { socketId: string }): string;
export function roomOf(audience: Audience): string | string[];
export function roomOf(audience: Audience): string | string[] {
  if ('room' in audience) return chatRoom(audience.room);
  if ('userId' in audience) return userRoom(audience.userId);
  if ('socketId' in audience) return audience.socketId;
  return [];
}

/**
 * The Socket.IO server once the gateway has attached it: what delivery, local membership and
 * the ending of sessions all work through, so that none of them needs another.
 */
@Injectable()
export class SocketServer {
  private server?: SwitchboardServer;
  private readonly attachListeners: ((server: SwitchboardServer) => void)[] = [];

  attach(server: SwitchboardServer): void {
    this.server = server;
    for (const listener of this.attachListeners) listener(server);
  }

  /** Runs `listener` with the server once it is attached (for what listens on the server). */
  onAttach(listener: (server: SwitchboardServer) => void): void {
    this.attachListeners.push(listener);
  }

  get io(): SwitchboardServer {
    if (!this.server) throw new Error('the Socket.IO server is not attached yet');
    return this.server;
  }

  /** The audience's sockets on this node, at once (a local look-up needs no round trip). */
  localSocketsOf(audience: Audience): ClientSocket[] {
    const namespace = this.io.sockets;
    const room = roomOf(audience);
    const ids =
      typeof room === 'string'
        ? (namespace.adapter.rooms.get(room) ?? [])
        : namespace.sockets.keys();
    return [...ids].flatMap((id) => {
      const socket = namespace.sockets.get(id);
      return socket === undefined ? [] : [socket];
    });
  }

  /** Every socket of this node. */
  allLocalSockets(): IterableIterator<ClientSocket> {
    return this.io.sockets.sockets.values() as IterableIterator<ClientSocket>;
  }
}
