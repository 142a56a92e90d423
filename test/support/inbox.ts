import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { Notification, Welcome } from '@switchboard/contract';
import { ok } from './clients.js';

/**
 * How a client answers a notification's callback; the contract accepts both of the first two.
 * 'from the second offer' refuses (`{ ok: false }`) each id the first time it arrives, at once,
 * and acknowledges it when it comes again.
 */
export type Acknowledgement =
  'with { ok: true }' | 'with no argument' | 'never' | 'from the second offer';

/**
 * The notifications one socket receives, in arrival order. The listener is attached before the
 * handshake, because the server offers pending notifications right after `welcome`: a listener
 * attached once `welcome` has arrived could miss the first of them.
 */
export class Inbox {
  private readonly arrived: Notification[] = [];
  private readonly waiting: ((notification: Notification) => void)[] = [];

  constructor(socket: Socket, acknowledge: Acknowledgement) {
    const offered = new Set<string>();
    socket.on('notification', (notification: Notification, ack?: (reply?: unknown) => void) => {
      if (acknowledge === 'with { ok: true }') ack?.({ ok: true });
      else if (acknowledge === 'with no argument') ack?.();
      else if (acknowledge === 'from the second offer') {
        ack?.({ ok: offered.has(notification.id) });
        offered.add(notification.id);
      }
      const waiter = this.waiting.shift();
      if (waiter) waiter(notification);
      else this.arrived.push(notification);
    });
  }

  /** The next notification not taken yet, waiting for it when none is there. */
  take(timeoutMs = 5000): Promise<Notification> {
    const arrived = this.arrived.shift();
    if (arrived) return Promise.resolve(arrived);
    return new Promise((resolve, reject) => {
      const waiter = (notification: Notification) => {
        clearTimeout(timer);
        resolve(notification);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new Error(`no notification within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.push(waiter);
    });
  }

  /** The next `count` notifications, in the order they arrived. */
  async takeMany(count: number): Promise<Notification[]> {
    const taken: Notification[] = [];
    for (let index = 0; index < count; index += 1) taken.push(await this.take());
    return taken;
  }
}

export type InboxClient = Socket & { welcome: Welcome; inbox: Inbox };

const openInboxClients = new Set<Socket>();

/** Connects like `connect` of clients.ts, with an Inbox listening from the start. */
export async function connectWithInbox(
  url: string,
  auth: Record<string, unknown>,
  {
    acknowledge = 'with { ok: true }',
    ...options
  }: Partial<ManagerOptions & SocketOptions> & { acknowledge?: Acknowledgement } = {},
): Promise<InboxClient> {
  const socket = io(url, {
    auth,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    autoConnect: false,
    ...options,
  });
  openInboxClients.add(socket);
  const inbox = new Inbox(socket, acknowledge);
  const welcome = new Promise<Welcome>((resolve, reject) => {
    socket.once('welcome', resolve);
    socket.once('connect_error', reject);
  });
  socket.connect();
  return Object.assign(socket, { welcome: await welcome, inbox });
}

export function closeInboxClients(): void {
  for (const socket of openInboxClients) socket.disconnect();
  openInboxClients.clear();
}

/**
 * Resolves once the server has the acknowledgements this client sent so far: one connection
 * delivers in order, so a ping sent after them is answered after they were handled.
 */
export async function acknowledgementsReceived(socket: Socket): Promise<void> {
  await ok(socket, 'session:ping');
}
