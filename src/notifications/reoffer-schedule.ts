/** The longest wait between two offers of what a connected user has not acknowledged. */
export const REOFFER_INTERVAL_MAX_MS = 60_000;

/**
 * When to offer a user again what they have not acknowledged, after the offer due at `due`, in a
 * schedule that started at `start` (the first offer: a notification accepted, a socket connected):
 * `start + T`, then at doubling intervals (`+ 2T`, `+ 4T`, …) up to 60 seconds, where T is
 * NOTIFY_ACK_TIMEOUT_MS. An offer made late (`now` past `due`) counts the next interval from `now`.
 *
 * @example
 * nextOfferAt(0, 5000, 5000, 5000); // 15000: offered at 5 s, again at 15 s, 35 s, 75 s, 135 s…
 */
export function nextOfferAt(start: number, due: number, now: number, ackTimeoutMs: number): number {
  const interval = Math.min(Math.max(due - start, 0) + ackTimeoutMs, REOFFER_INTERVAL_MAX_MS);
  return Math.max(due, now) + interval;
}
