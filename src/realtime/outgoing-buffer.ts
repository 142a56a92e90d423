import type { ClientSocket } from '../common/client-socket.js';

/**
 * What waits to be written to a client, in two places (measured with engine.io 6.6 and ws 8,
 * whose fields read here are not part of their typed API):
 * - engine.io's `writeBuffer`: the packets not yet handed to the transport. It grows while the
 *   transport is not writable: over WebSocket until ws has written the previous batch to the
 *   kernel (a client that stops reading its TCP connection stops that), over polling while no GET
 *   is pending. This is where a slow reader's backlog piles up, for both transports.
 * - ws's `bufferedAmount`: what the previous batch left in the TCP socket's user-space buffer.
 * Socket.IO itself keeps nothing per socket on the way out; the recovery buffer is bounded apart.
 */
interface EngineConnection {
  writeBuffer: readonly { data?: unknown }[];
  transport: { socket?: { bufferedAmount?: number; terminate?: () => void } };
}

/** The bytes waiting for `socket`, counted up to a little past `atMost` (a normal socket has none). */
export function outgoingBytes(socket: ClientSocket, atMost: number): number {
  const connection = socket.conn as unknown as EngineConnection;
  let bytes = connection.transport.socket?.bufferedAmount ?? 0;
  for (const packet of connection.writeBuffer) {
    if (bytes > atMost) break;
    const { data } = packet;
    // A string's length: its size in bytes for JSON's ASCII, a little less for other text.
    if (typeof data === 'string') bytes += data.length;
    else if (Buffer.isBuffer(data)) bytes += data.length;
  }
  return bytes;
}

/**
 * Closes the connection at once, dropping what waits for it: engine.io's own close would first
 * wait for the backlog to drain, and ws's for the client's closing handshake, which a client that
 * does not read never sends. The client sees a transport close and reconnects by itself.
 */
export function dropConnection(socket: ClientSocket): void {
  const connection = socket.conn as unknown as EngineConnection;
  connection.transport.socket?.terminate?.();
  socket.conn.close(true);
}
