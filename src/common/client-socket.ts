import type { DefaultEventsMap, Socket } from 'socket.io';
import type { Identity } from '../contract/types.js';

/** What the handshake stores on a socket; Socket.IO's recovery restores it with the session. */
export interface SocketData {
  user: Identity;
}

export type ClientSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>;

export function identityOf(socket: ClientSocket): Identity {
  return socket.data.user;
}
