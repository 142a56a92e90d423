import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from '../logging/logger.js';

/** Rounds are a quarter of the wait apart, within these bounds: what fell due is told that late at most. */
const ROUND_MIN_MS = 50;
const ROUND_MAX_MS = 1000;
/** What one claim takes at most; a round claims again while it gets that many. */
export const CLAIM_MAX = 500;

/**
 * Rounds that claim from a store what fell due and tell it (each node runs them; the store gives
 * each item to exactly one claim). A round never overlaps the one before, never rejects, and logs
 * a failure once per outage.
 */
export abstract class ClaimRounds implements BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private failing = false;

  protected constructor(
    private readonly what: string,
    protected readonly logger: Logger,
  ) {}

  /** Claims at most `limit` of what is due by `now`, tells it, and returns how many it claimed. */
  protected abstract claimAndTell(now: number, limit: number): Promise<number>;

  /** Starts the rounds for items due `waitMs` after they were scheduled. */
  protected startRounds(waitMs: number): void {
    const interval = Math.min(ROUND_MAX_MS, Math.max(ROUND_MIN_MS, waitMs / 4));
    this.timer = setInterval(() => void this.claimDue(), interval);
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round now (or the one under way). */
  claimDue(): Promise<void> {
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  private async runRound(): Promise<void> {
    try {
      while ((await this.claimAndTell(Date.now(), CLAIM_MAX)) >= CLAIM_MAX);
      if (this.failing) this.logger.info(`${this.what} are claimed again`);
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.error({ err: error }, `claiming ${this.what} failed`);
      this.failing = true;
    }
  }
}
