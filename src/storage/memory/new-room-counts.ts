const HOUR_MS = 3_600_000;

/**
 * ROOMS_NEW_PER_HOUR on one node: how many rooms each counter brought into the history store in
 * the current clock hour (UTC). The counts go all at once when the hour turns. Meanwhile a count
 * stands for at least one room brought in this hour, so with a room kept for an hour or more
 * there cannot be more counts than rooms; `maxCounters` bounds them whatever the settings, the
 * oldest going first (its counter then starts again from 0).
 */
export class NewRoomCounts {
  private hour = Number.NEGATIVE_INFINITY;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly perHour: number,
    private readonly maxCounters: number,
  ) {}

  /** Whether `counter` may bring one more room in at `now` (ms since the epoch). */
  allows(counter: string, now: number): boolean {
    this.turnTo(now);
    return (this.counts.get(counter) ?? 0) < this.perHour;
  }

  /** Counts one room that `counter` brought in at `now`. */
  add(counter: string, now: number): void {
    this.turnTo(now);
    const count = this.counts.get(counter);
    if (count === undefined && this.counts.size >= this.maxCounters) {
      const [oldest] = this.counts.keys();
      this.counts.delete(oldest);
    }
    this.counts.set(counter, (count ?? 0) + 1);
  }

  /** How many counters have a count now. */
  get size(): number {
    return this.counts.size;
  }

  /** A write from an hour already past (a clock set back) counts in the current one. */
  private turnTo(now: number): void {
    const hour = Math.floor(now / HOUR_MS);
    if (hour <= this.hour) return;
    this.hour = hour;
    this.counts.clear();
  }
}
