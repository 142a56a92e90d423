/** One clock for every bucket, rather than a bound copy per socket. */
const monotonicNow = () => performance.now();

/**
 * A token bucket: `ratePerSecond` tokens flow in, at most `burst` are kept, one event takes one.
 * Refilled lazily from the clock on each take, so an idle socket costs no timer.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.tokens = burst;
    this.refilledAt = this.now();
  }

  /** Whether the bucket has refilled to its burst: it then says no more than a new one would. */
  isFull(now = this.now()): boolean {
    return this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond >= this.burst;
  }

  /** `now`: the caller's reading of the bucket's clock, when it has one already. */
  tryTake(now = this.now()): boolean {
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond,
    );
    this.refilledAt = now;
    if (this.tokens < 1) {
      return false;
    }
    this.tokens -= 1;
    return true;
  }
}
