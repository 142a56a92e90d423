import type { Message } from '@switchboard/contract';
import {
  Switchboard,
  type ConnectionState,
  type Room,
  type StateChange,
  type SwitchboardOptions,
} from '../../client/src/index.js';
import { awaitedOnly } from './clients.js';

const WAIT_TIMEOUT_MS = 15_000;
const open = new Set<Switchboard>();

/** A Switchboard over WebSocket (unless told), closed by `closeAllSwitchboards`. */
export function openSwitchboard(url: string, options: SwitchboardOptions = {}): Switchboard {
  const switchboard = new Switchboard(url, { transports: ['websocket'], ...options });
  open.add(switchboard);
  return switchboard;
}

export function closeAllSwitchboards(): void {
  for (const switchboard of open) switchboard.close();
  open.clear();
}

/** Resolves with the next change of `switchboard` to `state`. */
export function nextState(switchboard: Switchboard, state: ConnectionState): Promise<StateChange> {
  return awaitedOnly(
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no state "${state}" within ${WAIT_TIMEOUT_MS} ms`));
      }, WAIT_TIMEOUT_MS);
      const stop = switchboard.on('state', (changed, detail) => {
        if (changed !== state) return;
        clearTimeout(timer);
        stop();
        resolve(detail);
      });
    }),
  );
}

/** Drops the transport as a network failure would; resolves once the Switchboard noticed. */
export async function dropConnection(switchboard: Switchboard): Promise<void> {
  const reconnecting = nextState(switchboard, 'reconnecting');
  switchboard.socket.io.engine.close();
  await reconnecting;
}

/** What a room delivered to its 'message' listeners, with its resets, in order. */
export class DeliveryLog {
  readonly entries: (Message | 'reset')[] = [];
  private readonly waiters: { done(): boolean; resolve(): void }[] = [];

  constructor(room: Room) {
    room.on('message', (message) => this.add(message));
    room.on('reset', () => this.add('reset'));
  }

  /** Offsets in delivery order, 'reset' where the room was reset. */
  get offsets(): (number | 'reset')[] {
    return this.entries.map((entry) => (entry === 'reset' ? entry : entry.offset));
  }

  get texts(): string[] {
    return this.entries.flatMap((entry) => (entry === 'reset' ? [] : [entry.text]));
  }

  /** Resolves once `count` entries have been delivered. */
  until(count: number): Promise<void> {
    return this.when(() => this.entries.length >= count, `${count} deliveries`);
  }

  private when(done: () => boolean, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return awaitedOnly(
      new Promise((resolve, reject) => {
        const waiter = {
          done,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`not ${what} within ${WAIT_TIMEOUT_MS} ms: ${this.offsets.join(',')}`));
        }, WAIT_TIMEOUT_MS);
        this.waiters.push(waiter);
      }),
    );
  }

  private add(entry: Message | 'reset'): void {
    this.entries.push(entry);
    for (const waiter of [...this.waiters]) {
      if (!waiter.done()) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

/** 1, 2, …, `count`. */
export function offsetsUpTo(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}
