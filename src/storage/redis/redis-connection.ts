import type { OnApplicationShutdown } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import type { RedisSettings } from '../../config/redis-settings.js';
import type { Logger } from '../../logging/logger.js';
import { ReplicaConfirmedWrites, UnconfirmedWrites, type DurableWrites } from './durable-writes.js';
import {
  commandClientOf,
  redisClientOf,
  redisClusterClientOf,
  type RedisCommands,
} from './redis-client.js';
import { RedisOutageLog } from './redis-outage-log.js';
import type { StoreConnection } from '../stores.js';

/**
 * A command that Redis does not answer fails after this long, so that an event needing Redis
 * replies `INTERNAL` well within the contract's 5 seconds instead of hanging.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

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

/**
 * How often a cluster's subscriber reads the slots again. It sends no command that a moved slot
 * would answer with MOVED, so without this it would not learn that a slot moved between masters
 * that stay up (resharding), and the channels of that slot would hear nothing more.
 */
export const SUBSCRIBER_SLOTS_REFRESH_MS = 5000;

/** Reconnection is retried quickly at first, then every second, for as long as Redis is away. */
const retryStrategy = (attempt: number) => Math.min(attempt * 100, 1000);

/**
 * The Redis clients of a node. `commands` serves the stores and publishes the adapter's broadcasts:
 * nothing is queued while Redis is away (a command fails at once) and nothing is sent twice after
 * a reconnection (an append must not be replayed behind the caller's back). `subscriber` holds the
 * adapter's channel subscriptions, renewed by the adapter itself after an outage (see
 * ChannelSubscriptions). With REDIS_WAIT_REPLICAS set, a third client, like `commands`, carries
 * the writes that replicas must confirm (see ReplicaConfirmedWrites). Every one of them follows a
 * Sentinel failover. On a Redis Cluster, each is a Cluster client with the same behaviour (see
 * redisClusterClientOf), each command going to the master of its slot, and `subscriber` holds one
 * subscriber connection per master (`shardedSubscribers`), each SSUBSCRIBE going to the master of
 * its channel's slot.
 */
export class RedisConnection implements OnApplicationShutdown, StoreConnection {
  readonly commands: RedisCommands;
  readonly subscriber: RedisCommands;
  /** Where the stores write messages and user notifications. */
  readonly durableWrites: DurableWrites;
  /** Where every client of the node reports losing Redis. */
  readonly outageLog: RedisOutageLog;
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
    const subscriberOptions: RedisOptions = {
      ...failingAtOnce,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      enableAutoPipelining: false,
      autoResubscribe: false,
    };
    this.subscriber = this.watched(
      'subscriber',
      settings.topology.kind === 'cluster'
        ? redisClusterClientOf(settings, subscriberOptions, {
            shardedSubscribers: true,
            slotsRefreshInterval: SUBSCRIBER_SLOTS_REFRESH_MS,
          })
        : redisClientOf(settings, subscriberOptions),
    );
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
    await Promise.all(
      [this.commands, this.subscriber, this.durableClient].flatMap((client) =>
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

  /**
   * Reports each failed attempt to connect, and each return, to the outage log. A cluster's
   * subscriber reports a master's subscriber connection that cannot be made again as an error of
   * the whole client, which stays ready: it works again once ioredis has made its subscriber
   * connections again (`subscribersReady`) without such an error since the previous attempt.
   */
  private watched<Client extends RedisCommands>(role: string, client: Client): Client {
    let failedSinceAttempt = false;
    client.on('error', (error: Error) => {
      failedSinceAttempt = true;
      this.outageLog.failing(role, error);
    });
    client.on('ready', () => this.outageLog.working(role));
    client.on('subscribersReady', () => {
      if (!failedSinceAttempt) this.outageLog.working(role);
      failedSinceAttempt = false;
    });
    return client;
  }
}
