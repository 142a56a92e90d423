import { Injectable } from '@nestjs/common';
import type { ClientSocket } from '../common/client-socket.js';
import { chatRoom, chatRoomOf, type Identity } from '@switchboard/contract';
import { SocketServer } from './socket-server.js';

/** A socket of this node with who it is and the chat rooms it is in. */
export interface LocalMembership {
  socketId: string;
  user: Identity;
  rooms: string[];
}

/** A socket of this node: whose it is, and when it connected (ms since the epoch). */
export interface LocalSocket {
  socketId: string;
  userId: string;
  /** The user's name, for what is registered with the user (the user-sockets store). */
  userName: string;
  connectedAt: number;
}

/**
 * The sockets of this node and the chat rooms they are in, read and changed here without
 * asking the other nodes.
 */
@Injectable()
export class LocalSockets {
  constructor(private readonly socketServer: SocketServer) {}

  /**
   * The socket is on this node: joined here, without telling the other nodes. Over Redis, resolves
   * once the room's broadcasts reach this node (and rejects while Redis is away); in memory, at once.
   */
  addToRoom(socketId: string, room: string): Promise<void> | void {
    return this.socketOf(socketId)?.join(chatRoom(room));
  }

  removeFromRoom(socketId: string, room: string): void {
    void this.socketOf(socketId)?.leave(chatRoom(room));
  }

  /**
   * Whether a socket of this node is in a chat room. Socket.IO's own rooms of the socket are the
   * truth for it (the presence store is restored from them), and reading them costs no round trip
   * to a store on every event that needs membership.
   */
  isInRoom(socketId: string, room: string): boolean {
    return this.socketOf(socketId)?.rooms.has(chatRoom(room)) ?? false;
  }

  /** Every socket of this node. */
  socketsHere(): LocalSocket[] {
    return [...this.socketServer.allLocalSockets()].map(localSocket);
  }

  /** The user's sockets on this node, at once (their own room says which). */
  socketsHereOf(userId: string): LocalSocket[] {
    return this.socketServer.localSocketsOf({ userId }).map(localSocket);
  }

  /** Every socket of this node with the chat rooms it is in. */
  localMemberships(): LocalMembership[] {
    return [...this.socketServer.allLocalSockets()].map((socket) => ({
      socketId: socket.id,
      user: socket.data.user,
      rooms: this.chatRoomsOf(socket.id),
    }));
  }

  /** The chat rooms a socket of this node is in (after a recovery: those Socket.IO restored). */
  chatRoomsOf(socketId: string): string[] {
    const rooms = this.socketOf(socketId)?.rooms ?? [];
    return [...rooms].flatMap((room) => chatRoomOf(room) ?? []);
  }

  private socketOf(socketId: string): ClientSocket | undefined {
    return this.socketServer.io.sockets.sockets.get(socketId);
  }
}

function localSocket(socket: ClientSocket): LocalSocket {
  const { id, name } = socket.data.user;
  return { socketId: socket.id, userId: id, userName: name, connectedAt: socket.handshake.issued };
}
