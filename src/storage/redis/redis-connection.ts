import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../logging/logger.js';
import type { StoreConnection } from '../stores.js';

/**
 * A command that Redis does not answer fails after this long, so that an event needing Redis
 * replies `INTERNAL` well within the contract's 5 seconds instead of hanging.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

/** The adapter's blocking stream read waits at most this long, well inside its client's command timeout. */
export const ADAPTER_BLOCK_MS = 2000;
const ADAPTER_COMMAND_TIMEOUT_MS = ADAPTER_BLOCK_MS + REDIS_COMMAND_TIMEOUT_MS;

/** Reconnection is retried quickly at first, then every second, for as long as Redis is away. */
const retryStrategy = (attempt: number) => Math.min(attempt * 100, 1000);

/**
 * The two Redis clients of a node. `commands` serves the stores: nothing is queued while Redis is
 * away (a command fails at once) and nothing is sent twice after a reconnection (an append must
 * not be replayed behind the caller's back). `adapter` is handed to Socket.IO's streams adapter,
 * which duplicates it for its blocking reads and subscriptions: those must wait out a short
 * outage, so its queue is kept but flushed with an error after a few reconnection attempts.
 */
export class RedisConnection implements OnApplicationShutdown, StoreConnection {
  readonly commands: Redis;
  readonly adapter: Redis;
  /** The clients the adapter made of `adapter` for its reads and subscriptions. */
  private readonly adapterCopies: Redis[];

  constructor(
    url: string,
    private readonly logger: Logger,
  ) {
    const common: RedisOptions = { retryStrategy, connectionName: 'switchboard' };
    this.commands = this.watched(
      'commands',
      new Redis(url, {
        ...common,
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
        // Commands issued in the same tick go out in one write: many sends, few round trips.
        enableAutoPipelining: true,
      }),
    );
    this.adapter = this.watched(
      'adapter',
      new Redis(url, {
        ...common,
        maxRetriesPerRequest: 2,
        commandTimeout: ADAPTER_COMMAND_TIMEOUT_MS,
      }),
    );
    markRejectionsHandled(this.adapter);
    this.adapterCopies = trackCopies(this.adapter);
  }

  /** Resolves once the command client is ready, or after `timeoutMs` (the node then starts not ready). */
  async ready(timeoutMs: number): Promise<void> {
    if (this.commands.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.commands.once('ready', done);
    });
  }

  /**
   * Calls `listener` each time the command client is ready again after its connection closed (a
   * restart or an outage of Redis, or a start while it did not answer).
   */
  onReturn(listener: () => void): void {
    let closed = false;
    this.commands.on('close', () => (closed = true));
    this.commands.on('ready', () => {
      if (!closed) return;
      closed = false;
      listener();
    });
  }

  /** After the Socket.IO server has closed, so that its last writes still reach Redis. */
  async onApplicationShutdown(): Promise<void> {
    // The adapter's own copies would otherwise linger until their blocking read returns.
    for (const copy of this.adapterCopies) copy.disconnect();
    await Promise.all(
      [this.commands, this.adapter].map((client) =>
        client.quit().then(
          () => undefined,
          () => client.disconnect(),
        ),
      ),
    );
  }

  /** Logs each loss and each return of the connection once, not every failed retry. */
  private watched(role: string, client: Redis): Redis {
    let lost = false;
    client.on('error', (error: Error) => {
      if (lost) return;
      lost = true;
      this.logger.error({ redis: role, err: error.message }, 'redis connection lost');
    });
    client.on('ready', () => {
      if (!lost) return;
      lost = false;
      this.logger.info({ redis: role }, 'redis connection back');
    });
    return client;
  }
}

/**
 * Socket.IO's streams adapter drops the promises of two commands (the session it saves when a
 * socket drops, and its pub/sub requests): while Redis is away they would reject unhandled. Its
 * own callers that await them still see the rejection; this only stops an unobserved one from
 * becoming an unhandled rejection, which ends a Node process.
 */
function markRejectionsHandled(client: Redis): void {
  const set = client.set.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const publish = client.publish.bind(client) as (...args: unknown[]) => Promise<unknown>;
  Object.assign(client, {
    set: (...args: unknown[]) => observed(set(...args)),
    publish: (...args: unknown[]) => observed(publish(...args)),
  });
}

/** Records the copies made with `duplicate()`, which the adapter makes but never closes on its own. */
function trackCopies(client: Redis): Redis[] {
  const copies: Redis[] = [];
  const duplicate = client.duplicate.bind(client);
  client.duplicate = (...args: Parameters<Redis['duplicate']>) => {
    const copy = duplicate(...args);
    copies.push(copy);
    return copy;
  };
  return copies;
}

function observed<T>(reply: Promise<T>): Promise<T> {
  reply.catch(() => undefined);
  return reply;
}
