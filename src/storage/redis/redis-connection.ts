import type { OnApplicationShutdown } from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import type { RedisSettings } from '../../config/redis-settings.js';
import type { Logger } from '../../logging/logger.js';
import { ReplicaConfirmedWrites, UnconfirmedWrites, type DurableWrites } from './durable-writes.js';
import { commandClientOf, redisClientOf, type RedisCommands } from './redis-client.js';
import { RedisOutageLog } from './redis-outage-log.js';
import type { StoreConnection } from '../stores.js';

/**
 * A command that Redis does not answer fails after this long, so that an event needing Redis
 * replies `INTERNAL` well within the contract's 5 seconds instead of hanging.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

/** The adapter's blocking stream read waits at most this long, well inside its client's command timeout. */
export const ADAPTER_BLOCK_MS = 2000;
const ADAPTER_COMMAND_TIMEOUT_MS = ADAPTER_BLOCK_MS + REDIS_COMMAND_TIMEOUT_MS;

/**
 * How the stores' clients behave, on one Redis as on a cluster: nothing is queued while Redis is
 * away (a command fails at once), nothing is sent twice after a reconnection.
 */
export const FAILING_AT_ONCE: RedisOptions = {
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  // Commands issued in the same tick go out in one write: many sends, few round trips.
  enableAutoPipelining: true,
};

/** Reconnection is retried quickly at first, then every second, for as long as Redis is away. */
const retryStrategy = (attempt: number) => Math.min(attempt * 100, 1000);

/**
 * The Redis clients of a node. `commands` serves the stores: nothing is queued while Redis is
 * away (a command fails at once) and nothing is sent twice after a reconnection (an append must
 * not be replayed behind the caller's back). `adapter` is handed to Socket.IO's streams adapter,
 * which duplicates it for its blocking reads and subscriptions: those must wait out a short
 * outage, so its queue is kept but flushed with an error after a few reconnection attempts. With
 * REDIS_WAIT_REPLICAS set, a third client, like `commands`, carries the writes that replicas
 * must confirm (see ReplicaConfirmedWrites). Every one of them follows a Sentinel failover.
 * On a Redis Cluster, `commands` and the confirmed writes' client are Cluster clients with the
 * same behaviour (see redisClusterClientOf), each command going to the master of its slot.
 */
export class RedisConnection implements OnApplicationShutdown, StoreConnection {
  readonly commands: RedisCommands;
  readonly adapter: Redis;
  /** Where the stores write messages and user notifications. */
  readonly durableWrites: DurableWrites;
  /** Where every client of the node, the adapter's copies included, reports losing Redis. */
  readonly outageLog: RedisOutageLog;
  /** The clients the adapter made of `adapter` for its reads and subscriptions. */
  private readonly adapterCopies: Redis[] = [];
  /** The connection of confirmed writes, with REDIS_WAIT_REPLICAS only. */
  private readonly durableClient: RedisCommands | undefined;

  constructor(settings: RedisSettings, logger: Logger) {
    this.outageLog = new RedisOutageLog(logger);
    const common: RedisOptions = { retryStrategy, connectionName: 'switchboard' };
    const failingAtOnce: RedisOptions = { ...common, ...FAILING_AT_ONCE };
    this.commands = this.watched(
      'commands',
      commandClientOf(settings, { ...failingAtOnce, commandTimeout: REDIS_COMMAND_TIMEOUT_MS }),
    );
    this.adapter = this.watched(
      'adapter',
      redisClientOf(settings, {
        ...common,
        maxRetriesPerRequest: 2,
        commandTimeout: ADAPTER_COMMAND_TIMEOUT_MS,
      }),
    );
    markRejectionsHandled(this.adapter);
    this.keepCopies(this.adapter);
    if (settings.waitReplicas === 0) {
      this.durableWrites = new UnconfirmedWrites(this.commands);
      return;
    }
    // A write may wait behind another's WAIT, then for its own: the caller is answered at the
    // bound anyway (ReplicaConfirmedWrites), this only keeps ioredis from giving up sooner.
    const client = this.watched(
      'durable writes',
      commandClientOf(settings, {
        ...failingAtOnce,
        commandTimeout: 2 * settings.waitTimeoutMs + REDIS_COMMAND_TIMEOUT_MS,
      }),
    );
    this.durableClient = client;
    this.durableWrites = new ReplicaConfirmedWrites(
      client,
      settings.waitReplicas,
      settings.waitTimeoutMs,
    );
  }

  /**
   * Resolves once the command client's first attempt to connect has succeeded or failed, or after
   * `timeoutMs` when it neither connects nor fails: a node without Redis starts at once, not ready.
   */
  async firstAttempt(timeoutMs: number): Promise<void> {
    if (this.commands.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.commands.off('ready', done).off('error', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.commands.once('ready', done).once('error', done);
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
      [this.commands, this.adapter, this.durableClient].flatMap((client) =>
        client === undefined
          ? []
          : client.quit().then(
              // QUIT leaves a Sentinel client's failover detector connected to the sentinels,
              // which would keep the process alive: only disconnect() closes it.
              () => client.disconnect(),
              () => client.disconnect(),
            ),
      ),
    );
  }

  /** Reports each failed attempt to connect, and each return, to the outage log. */
  private watched<Client extends RedisCommands>(role: string, client: Client): Client {
    client.on('error', (error: Error) => this.outageLog.failing(role, error));
    client.on('ready', () => this.outageLog.working(role));
    return client;
  }

  /**
   * Watches and keeps the copies that the adapter makes with `duplicate()`: it never closes them
   * on its own, and they lose Redis as the others do. Their subscriptions outlive an outage.
   */
  private keepCopies(client: Redis): void {
    const duplicate = client.duplicate.bind(client);
    client.duplicate = (...args: Parameters<Redis['duplicate']>) => {
      const copy = duplicate(...args);
      this.adapterCopies.push(copy);
      subscribeUntilConfirmed(copy);
      return this.watched(`adapter copy ${this.adapterCopies.length}`, copy);
    };
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

/**
 * The adapter subscribes its copy to the node's channels once, when it is created, and drops the
 * reply. Started while Redis does not answer, that subscription waits in the copy's queue until
 * the queue is flushed with an error: unobserved, the error would end the process, and the node
 * would never hear the others' requests (counting sockets, ending sessions). So a subscription
 * that fails is sent again once the copy is connected. One that Redis confirmed, ioredis renews by
 * itself after a reconnection (through this same method, so a failed renewal is sent again too).
 */
function subscribeUntilConfirmed(copy: Redis): void {
  const subscribe = copy.subscribe.bind(copy) as (...channels: unknown[]) => Promise<unknown>;
  const subscribing = (...channels: unknown[]): Promise<unknown> => {
    const reply = subscribe(...channels);
    reply.catch(() => copy.once('ready', () => void subscribing(...channels)));
    return reply;
  };
  Object.assign(copy, { subscribe: subscribing });
}

function observed<T>(reply: Promise<T>): Promise<T> {
  reply.catch(() => undefined);
  return reply;
}
