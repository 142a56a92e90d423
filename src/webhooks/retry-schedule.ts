/** The first retry waits this long after the failed try ended; each next one twice as long. */
export const FIRST_RETRY_MS = 1000;
/** The longest wait between two tries. */
export const LONGEST_RETRY_MS = 5 * 60_000;
/** At most this share of a wait is taken off at random, so that many nodes do not retry in step. */
const JITTER = 0.1;

/**
 * The wait before retry number `retry` (1 for the first): 1 s, 2 s, 4 s, … up to 5 minutes, less a
 * jitter of at most 10 %.
 */
export function retryDelayMs(retry: number, random: () => number = Math.random): number {
  const delay = Math.min(FIRST_RETRY_MS * 2 ** (retry - 1), LONGEST_RETRY_MS);
  return Math.round(delay * (1 - JITTER * random()));
}
