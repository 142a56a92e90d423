import { Cluster, type Redis } from 'ioredis';
import { AppError } from '../../common/app-error.js';
import { hashSlotOf } from './hash-slot.js';
import type { RedisCommands } from './redis-client.js';

/**
 * How the stores write what a client is told is kept (messages, user notifications): on the
 * command client as is (REDIS_WAIT_REPLICAS=0), or confirmed by replicas before it is answered.
 */
export interface DurableWrites {
  /**
   * Whether `run` waits for replicas: then a write that finds what it would write already there
   * (a retry) must still write, so that the wait covers the earlier write (see `run`).
   */
  readonly confirming: boolean;
  /**
   * Runs `write` on the client this returns and resolves with its reply once it is confirmed.
   * Confirmed means: every write that client sent up to it is held by REDIS_WAIT_REPLICAS
   * replicas. So a write that changes nothing is confirmed at once; one that wants an earlier
   * write (of another node, another connection) confirmed must itself write something.
   * `key` is one of the keys that the write touches (all of them of one hash slot): on a Redis
   * Cluster, the write goes to that slot's master, whose replicas must confirm it. A reply for
   * which `wrote` says false (the write found it had nothing to do) is answered at once.
   */
  run<T>(
    key: string,
    write: (client: RedisCommands) => Promise<T>,
    wrote?: (reply: T) => boolean,
  ): Promise<T>;
}

/** REDIS_WAIT_REPLICAS=0: the write as is, no extra command, no extra await. */
export class UnconfirmedWrites implements DurableWrites {
  readonly confirming = false;

  constructor(private readonly client: RedisCommands) {}

  run<T>(_key: string, write: (client: RedisCommands) => Promise<T>): Promise<T> {
    return write(this.client);
  }
}

/**
 * Writes followed by Redis's `WAIT replicas timeout`, on a connection of their own. `WAIT` covers
 * the writes its own connection sent before it, so it must follow them on that connection; and it
 * blocks that connection until the replicas answer (up to the timeout while one is away), which
 * on the shared command connection would hold up every read, presence beat and health check of
 * the node behind it. Writes whose replies arrive together share one `WAIT` (it covers them all),
 * so the cost is one round trip to the replicas per batch of writes, not per write.
 * On a Redis Cluster, each master has its own replicas and `WAIT` asks those of the master it is
 * sent to: so a write is sent on the cluster client's own connection to the master of its key's
 * slot, and followed there by the `WAIT` that this master's writes share. (Sent through the
 * cluster client, a keyless `WAIT` would go to any master.)
 */
export class ReplicaConfirmedWrites implements DurableWrites {
  readonly confirming = true;
  /** Per connection, the `WAIT` that its writes answered since its last one was sent will share. */
  private readonly nextWaits = new Map<Redis, Promise<number>>();

  constructor(
    private readonly client: RedisCommands,
    private readonly replicas: number,
    private readonly timeoutMs: number,
  ) {}

  run<T>(
    key: string,
    write: (client: RedisCommands) => Promise<T>,
    wrote: (reply: T) => boolean = () => true,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const connection = connectionFor(this.client, key);
      if (connection instanceof Error) return reject(connection);
      // Past the bound the answer is given, whether the write or its WAIT is still on its way.
      const timer = setTimeout(() => reject(unconfirmed()), this.timeoutMs);
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        outcome();
      };
      write(connection).then(
        (reply) =>
          !wrote(reply)
            ? settle(() => resolve(reply))
            : this.confirmation(connection).then(
                (replicas) =>
                  settle(() =>
                    replicas >= this.replicas ? resolve(reply) : reject(unconfirmed()),
                  ),
                // The write went out: whether it was kept is not known.
                () => settle(() => reject(unconfirmed())),
              ),
        (error: Error) => settle(() => reject(error)),
      );
    });
  }

  /**
   * The number of replicas that hold every write of the connection answered before this call. The
   * `WAIT` is sent after the replies of the current turn of the event loop have all arrived.
   */
  private confirmation(connection: Redis): Promise<number> {
    let wait = this.nextWaits.get(connection);
    if (wait === undefined) {
      wait = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.nextWaits.delete(connection);
        return connection.wait(this.replicas, this.timeoutMs);
      });
      this.nextWaits.set(connection, wait);
    }
    return wait;
  }
}

/**
 * The connection on which a write of `key` and its `WAIT` go: the client itself with one Redis;
 * with a cluster, the cluster client's connection to the master that serves the key's slot now
 * (an Error while the cluster client does not know it: not connected yet, or Redis away).
 */
function connectionFor(client: RedisCommands, key: string): Redis | Error {
  if (!(client instanceof Cluster)) return client;
  const [master] = client.slots[hashSlotOf(key)] ?? [];
  const connection = client
    .nodes('master')
    .find(({ options }) => `${options.host}:${options.port}` === master);
  return connection ?? new Error(`no master of the Redis Cluster is known to serve ${key}`);
}

function unconfirmed(): AppError {
  return new AppError(
    'UNAVAILABLE',
    'fewer than REDIS_WAIT_REPLICAS RedisCommands replicas confirmed the write within REDIS_WAIT_TIMEOUT_MS: ' +
      'it may exist, and may have been delivered, but is not known to survive a failover; ' +
      'retry (a message with the same clientMsgId) to settle it',
  );
}
