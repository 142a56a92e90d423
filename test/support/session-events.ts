import { io, type Socket } from 'socket.io-client';
import type { SessionEnded, SessionExpiring, Welcome } from '@switchboard/contract';

/** What a socket's session may tell it, with the disconnect reason (Socket.IO's) last. */
export interface SessionEventPayloads {
  'session:expiring': SessionExpiring;
  'session:ended': SessionEnded;
  disconnect: string;
}
type SessionEvent = keyof SessionEventPayloads;

/**
 * The session events one socket receives, recorded from before its handshake: the server may say
 * `session:expiring` right after `welcome`, and a listener attached once `welcome` has arrived
 * could miss it.
 */
export class SessionEvents {
  private readonly arrived = new Map<SessionEvent, unknown[]>();
  private readonly waiting = new Map<SessionEvent, ((payload: unknown) => void)[]>();

  constructor(socket: Socket) {
    for (const event of ['session:expiring', 'session:ended', 'disconnect'] as const) {
      socket.on(event, (payload: unknown) => {
        const waiter = this.waiting.get(event)?.shift();
        if (waiter) waiter(payload);
        else this.arrived.set(event, [...(this.arrived.get(event) ?? []), payload]);
      });
    }
  }

  /** The next `event` not taken yet, waiting for it when none is there. */
  take<E extends SessionEvent>(event: E, timeoutMs = 10_000): Promise<SessionEventPayloads[E]> {
    const arrived = this.arrived.get(event)?.shift();
    if (arrived !== undefined) return Promise.resolve(arrived as SessionEventPayloads[E]);
    const waiters = this.waiting.get(event) ?? [];
    this.waiting.set(event, waiters);
    const taken = new Promise<SessionEventPayloads[E]>((resolve, reject) => {
      const waiter = (payload: unknown) => {
        clearTimeout(timer);
        resolve(payload as SessionEventPayloads[E]);
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`no "${event}" within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.push(waiter);
    });
    taken.catch(() => undefined); // fails only the test that awaits it
    return taken;
  }
}

export type SessionClient = Socket & { welcome: Welcome; session: SessionEvents };

const openSessionClients = new Set<Socket>();

/** Connects with `token`, like `connect` of clients.ts, recording its session events. */
export async function connectWithSession(url: string, token: string): Promise<SessionClient> {
  const socket = io(url, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    autoConnect: false,
  });
  openSessionClients.add(socket);
  const session = new SessionEvents(socket);
  const welcome = new Promise<Welcome>((resolve, reject) => {
    socket.once('welcome', resolve);
    socket.once('connect_error', reject);
  });
  socket.connect();
  return Object.assign(socket, { welcome: await welcome, session });
}

export function closeSessionClients(): void {
  for (const socket of openSessionClients) socket.disconnect();
  openSessionClients.clear();
}
