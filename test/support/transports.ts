import type { Socket } from 'socket.io-client';
import { closeAllClients, connectAs, type TestClient } from './clients.js';
import { connectWithToken, type Claims } from './identities.js';

export type TransportName = 'websocket' | 'polling';

const trackedClients: Socket[] = [];

/** A guest over exactly these transports, in this order (the first one connects, then upgrades). */
export async function connectOver(
  url: string,
  name: string,
  transports: TransportName[],
): Promise<TestClient> {
  const socket = await connectAs(url, name, { transports, upgrade: true });
  trackedClients.push(socket);
  return socket;
}

/** A signed-in user over exactly these transports; called again, another tab of the same user. */
export async function connectUserOver(
  url: string,
  claims: Claims,
  transports: TransportName[],
): Promise<TestClient> {
  const socket = await connectWithToken(url, claims, { transports, upgrade: true });
  trackedClients.push(socket);
  return socket;
}

/** Resolves once the client's Engine.IO connection runs over WebSocket. */
export function upgraded(socket: Socket): Promise<void> {
  const engine = socket.io.engine;
  if (engine.transport.name === 'websocket') return Promise.resolve();
  return new Promise((resolve) => engine.once('upgrade', () => resolve()));
}

/** Resolves once the client's Engine.IO connection is closed, its pending writes answered. */
function transportClosed(socket: Socket): Promise<void> {
  const engine = socket.io.engine;
  if (engine.readyState === 'closed') return Promise.resolve();
  return new Promise((resolve) => engine.once('close', () => resolve()));
}

/**
 * `closeAllClients`, waiting for the clients of `connectOver` to finish closing: a polling
 * client says goodbye in an HTTP request, which must not outlive the server (an `afterAll`).
 */
export async function closeAllClientsAndTransports(): Promise<void> {
  const closing = trackedClients.splice(0).map(transportClosed);
  closeAllClients();
  await Promise.all(closing);
}
