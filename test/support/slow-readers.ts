import type { Socket } from 'socket.io-client';
import { connectAs } from './clients.js';
import { joined } from './rooms.js';

/**
 * Clients that join a room and then stop reading what the server sends them, as a phone in a
 * tunnel or a stuck tab does, while their connection stays open.
 */

/** Over WebSocket: a socket.io-client whose TCP socket stops being read once it has joined. */
export async function pausedWebSocketReader(url: string, name: string, room: string) {
  const socket = await connectAs(url, name, { transports: ['websocket'] });
  await joined(socket, room);
  tcpSocketOf(socket).pause();
  return socket;
}

function tcpSocketOf(socket: Socket): { pause(): void } {
  // engine.io-client's WebSocket transport in Node holds a `ws` WebSocket, which holds the TCP socket.
  const transport = socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } };
  return transport.ws._socket;
}

/**
 * Over long-polling, spoken by hand: a guest that connects, joins the room, and then never sends
 * the GET that would fetch what waits for it. Resolves once the join is sent.
 */
export async function pollingReaderThatStops(url: string, name: string, room: string) {
  const base = `${url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const { sid } = JSON.parse(open.slice(1)) as { sid: string };
  const session = `${base}&sid=${sid}`;
  await post(session, `40${JSON.stringify({ name })}`);
  // The server's CONNECT must have been sent before the socket's first event, or it closes.
  const connected = await (await fetch(session)).text();
  if (!connected.startsWith('40')) throw new Error(`not connected: ${connected}`);
  await post(session, `421${JSON.stringify(['room:join', { room }])}`);
}

async function post(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', body });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status}`);
  await response.text();
}
