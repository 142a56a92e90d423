// The load generators' socket.io-client side: one welcomed client, and one request with its reply.
import { io } from 'socket.io-client';

const REPLY_TIMEOUT_MS = 5000;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * One client, connected and welcomed; rejects on a refusal or after CONNECT_TIMEOUT_MS. `options`
 * go to socket.io-client (a `localAddress` to connect from).
 */
export function connectClient(url, name, options = {}) {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: { name },
    ...options,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error(`${name}: no welcome within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    socket.once('welcome', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(error);
    });
  });
}

/** The data of a reply that must succeed; a payload left out is not sent at all. */
export async function request(socket, event, payload) {
  const reply =
    payload === undefined
      ? await socket.timeout(REPLY_TIMEOUT_MS).emitWithAck(event)
      : await socket.timeout(REPLY_TIMEOUT_MS).emitWithAck(event, payload);
  if (!reply?.ok) throw new Error(`${event} failed: ${JSON.stringify(reply)}`);
  return reply.data;
}
