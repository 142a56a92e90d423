import { LONGEST_RETRY_MS, retryDelayMs } from './retry-schedule.js';

describe('retryDelayMs', () => {
  it('waits 1 s, then twice as long each time, up to 5 minutes', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(retry, noJitter))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(retryDelayMs(9, noJitter)).toBe(256_000);
    expect(retryDelayMs(10, noJitter)).toBe(LONGEST_RETRY_MS);
    expect(retryDelayMs(60, noJitter)).toBe(LONGEST_RETRY_MS);
  });

  it('takes at most 10 % off at random', () => {
    expect(retryDelayMs(1, () => 0.999)).toBeGreaterThanOrEqual(900);
    expect(retryDelayMs(3, () => 0.5)).toBe(3800);
  });
});
