import type { Logger } from '../../logging/logger.js';

/** The contract: while Redis does not answer, a node logs one line about it at most this often. */
export const OUTAGE_LOG_INTERVAL_MS = 10_000;

/**
 * The node's lines about Redis failing, at most one every OUTAGE_LOG_INTERVAL_MS however many
 * clients fail and however often they retry (each client reports every failed reconnection). A
 * change that comes within the interval is written at its end, so that the last line always
 * tells how Redis is now: failing (which sources, with their last error), or working again.
 */
export class RedisOutageLog {
  /** Each failing source with the message of its last error. */
  private readonly failures = new Map<string, string>();
  private failingSince = 0;
  /** Whether the last line said that Redis fails, so that its return is worth a line. */
  private saidFailing = false;
  private lastLineAt = -Infinity;
  private pending?: NodeJS.Timeout;

  constructor(private readonly logger: Logger) {}

  /** `source` (a client, or work that needs Redis) fails with `error`. */
  failing(source: string, error: unknown): void {
    if (this.failures.size === 0) this.failingSince = Date.now();
    this.failures.set(source, error instanceof Error ? error.message : String(error));
    this.report();
  }

  /** `source` works (again). */
  working(source: string): void {
    if (this.failures.delete(source) && this.failures.size === 0) this.report();
  }

  private report(): void {
    const now = Date.now();
    const wait = this.lastLineAt + OUTAGE_LOG_INTERVAL_MS - now;
    if (wait > 0) {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        this.report();
      }, wait).unref();
      return;
    }
    if (this.failures.size > 0) {
      this.logger.error(
        { failing: Object.fromEntries(this.failures), forMs: now - this.failingSince },
        'redis is failing',
      );
      this.saidFailing = true;
    } else if (this.saidFailing) {
      this.logger.info('redis works again');
      this.saidFailing = false;
    } else {
      return;
    }
    // After the line, whose own time is then never later: its successor's is 10 s past it.
    this.lastLineAt = Date.now();
  }
}
