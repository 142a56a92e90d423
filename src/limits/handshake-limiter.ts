import { TokenBucket } from '../common/rate-limiter.js';

/**
 * How many client addresses are remembered at most. An attacker with more addresses than this
 * pushes out the least recently seen, whose next handshake starts with a full bucket again.
 */
export const HANDSHAKE_ADDRESSES_MAX = 100_000;

const monotonicNow = () => performance.now();

/**
 * HANDSHAKE_RATE_PER_IP on this node: a token bucket per client address, `ratePerSecond` new
 * connections a second in bursts of up to twice that. The buckets live in a Map kept in order of
 * use, which bounds them twice: the least recently used goes once there are `maxAddresses`, and
 * each handshake drops the least recently used one if it has refilled (a full bucket says no more
 * than a new one would), so that they drain away as handshakes come in.
 */
export class HandshakeLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly maxAddresses = HANDSHAKE_ADDRESSES_MAX,
    private readonly now: () => number = monotonicNow,
  ) {}

  /** Takes one handshake of `address`: true when it is within the rate. */
  tryAdmit(address: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(address);
    if (bucket) {
      this.buckets.delete(address);
    } else {
      bucket = new TokenBucket(this.ratePerSecond, 2 * this.ratePerSecond, this.now);
      if (this.buckets.size >= this.maxAddresses) this.dropLeastRecentlyUsed();
    }
    const [leastRecentlyUsed] = this.buckets.values();
    if (leastRecentlyUsed?.isFull(now)) this.dropLeastRecentlyUsed();
    this.buckets.set(address, bucket);
    return bucket.tryTake(now);
  }

  /** How many addresses are remembered now. */
  get size(): number {
    return this.buckets.size;
  }

  private dropLeastRecentlyUsed(): void {
    const [oldest] = this.buckets.keys();
    if (oldest !== undefined) this.buckets.delete(oldest);
  }
}
