import { TokenBucket } from './rate-limiter.js';

describe('TokenBucket', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 0;
  });

  it('allows a burst, then refuses until tokens flow back in', () => {
    const bucket = new TokenBucket(2, 3, clock);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now = 499;
    expect(bucket.tryTake()).toBe(false);
    now = 500;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const bucket = new TokenBucket(10, 2, clock);
    now = 60_000;
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
  });

  it('is full again once idle for as long as the burst takes to flow back in', () => {
    const bucket = new TokenBucket(2, 4, clock);
    expect(bucket.isFull()).toBe(true);
    bucket.tryTake();
    bucket.tryTake();
    now = 999;
    expect(bucket.isFull()).toBe(false);
    now = 1000;
    expect(bucket.isFull()).toBe(true);
  });
});
