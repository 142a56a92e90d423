import type { Redis } from 'ioredis';
import { AppError } from '../../common/app-error.js';

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
   */
  run<T>(write: (client: Redis) => Promise<T>): Promise<T>;
}

/** REDIS_WAIT_REPLICAS=0: the write as is, no extra command, no extra await. */
export class UnconfirmedWrites implements DurableWrites {
  readonly confirming = false;

  constructor(private readonly client: Redis) {}

  run<T>(write: (client: Redis) => Promise<T>): Promise<T> {
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
 */
export class ReplicaConfirmedWrites implements DurableWrites {
  readonly confirming = true;
  /** The `WAIT` that the writes answered since the last one was sent will share. */
  private nextWait: Promise<number> | undefined;

  constructor(
    private readonly client: Redis,
    private readonly replicas: number,
    private readonly timeoutMs: number,
  ) {}

  run<T>(write: (client: Redis) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Past the bound the answer is given, whether the write or its WAIT is still on its way.
      const timer = setTimeout(() => reject(unconfirmed()), this.timeoutMs);
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        outcome();
      };
      write(this.client).then(
        (reply) =>
          this.confirmation().then(
            (replicas) =>
              settle(() => (replicas >= this.replicas ? resolve(reply) : reject(unconfirmed()))),
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
  private confirmation(): Promise<number> {
    this.nextWait ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.nextWait = undefined;
      return this.client.wait(this.replicas, this.timeoutMs);
    });
    return this.nextWait;
  }
}

function unconfirmed(): AppError {
  return new AppError(
    'UNAVAILABLE',
    'fewer than REDIS_WAIT_REPLICAS Redis replicas confirmed the write within REDIS_WAIT_TIMEOUT_MS: ' +
      'it may exist, and may have been delivered, but is not known to survive a failover; ' +
      'retry (a message with the same clientMsgId) to settle it',
  );
}
