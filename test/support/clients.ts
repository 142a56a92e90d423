import { io, type Socket, type SocketOptions, type ManagerOptions } from 'socket.io-client';
import type { Notification, Reply, Welcome } from '@switchboard/contract';

export type TestClient = Socket & { welcome: Welcome };

const openClients = new Set<Socket>();

/** Connects and resolves once the server's `welcome` has arrived. */
export async function connect(
  url: string,
  auth: Record<string, unknown> = {},
  options: Partial<ManagerOptions & SocketOptions> = {},
): Promise<TestClient> {
  const socket = io(url, {
    auth,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...options,
  });
  openClients.add(socket);
  const welcome = await new Promise<Welcome>((resolve, reject) => {
    socket.once('welcome', resolve);
    socket.once('connect_error', reject);
  });
  return Object.assign(socket, { welcome });
}

export function connectAs(
  url: string,
  name: string,
  options: Partial<ManagerOptions & SocketOptions> = {},
) {
  return connect(url, { name }, options);
}

/** Resolves with the handshake refusal the server sends. */
export function refusal(
  url: string,
  auth: Record<string, unknown>,
): Promise<Error & { data?: unknown }> {
  const socket = io(url, { auth, transports: ['websocket'], forceNew: true, reconnection: false });
  openClients.add(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect_error', resolve);
    socket.once('connect', () => reject(new Error('the handshake was accepted')));
  });
}

export function closeAllClients(): void {
  for (const socket of openClients) socket.disconnect();
  openClients.clear();
}

export function request<T = unknown>(
  socket: Socket,
  event: string,
  ...args: unknown[]
): Promise<Reply<T>> {
  return socket.timeout(5000).emitWithAck(event, ...args) as Promise<Reply<T>>;
}

/** The data of a reply that must succeed; fails the test with the error otherwise. */
export async function ok<T = unknown>(
  socket: Socket,
  event: string,
  ...args: unknown[]
): Promise<T> {
  const reply = await request<T>(socket, event, ...args);
  if (!reply.ok) throw new Error(`${event} failed: ${JSON.stringify(reply.error)}`);
  return reply.data;
}

/**
 * A wait that fails only the test that awaits it. When an earlier step of its test has failed
 * already, nobody awaits it, and its timeout would surface as an unhandled rejection under
 * whichever test runs later (Jest blames that one).
 */
export function awaitedOnly<T>(wait: Promise<T>): Promise<T> {
  wait.catch(() => undefined);
  return wait;
}

export function nextEvent<T = unknown>(
  socket: Socket,
  event: string,
  timeoutMs = 5000,
): Promise<T> {
  return awaitedOnly(
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.off(event, onEvent);
        reject(new Error(`no "${event}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const onEvent = (payload: T) => {
        clearTimeout(timer);
        resolve(payload);
      };
      socket.once(event, onEvent);
    }),
  );
}

/** Collects every payload of `event` from now on. */
export function collect<T = unknown>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

/**
 * Resolves once an event matching `predicate` has arrived, acknowledging notifications as a
 * well-behaved client does when `acknowledge` is true.
 */
export function nextNotification(
  socket: Socket,
  acknowledge = true,
  timeoutMs = 5000,
): Promise<Notification> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no notification within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('notification', (notification: Notification, ack?: (reply?: unknown) => void) => {
      clearTimeout(timer);
      if (acknowledge) ack?.({ ok: true });
      resolve(notification);
    });
  });
}
