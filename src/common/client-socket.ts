import type { DefaultEventsMap, Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, Identity } from '@switchboard/contract';

/** What the handshake stores on a socket; Socket.IO's recovery restores it with the session. */
export interface SocketData {
  user: Identity;
  /** The client's address as believed at the handshake (see clientAddress). */
  clientAddress: string;
  /** Whom the rooms that this socket brings into history count against (ROOMS_NEW_PER_HOUR). */
  newRoomsCounter: string;
}

/** Typed with the contract's events, so that emitting a payload of the wrong shape does not build. */
export type SwitchboardServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  DefaultEventsMap,
  SocketData
>;

export type ClientSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  DefaultEventsMap,
  SocketData
>;

export function identityOf(socket: ClientSocket): Identity {
  return socket.data.user;
}
