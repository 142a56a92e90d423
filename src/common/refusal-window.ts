/**
 * Tells a flood from a client that merely went over its rate limit: records the times of a
 * socket's refused events and says when more than `maxRefusals` of them fell within `windowMs`.
 * The times live in a ring of `maxRefusals` slots, allocated at the first refusal (most sockets
 * are never refused), so a refusal costs one comparison and one write.
 */
export class RefusalWindow {
  private times?: Float64Array;
  private next = 0;

  constructor(
    private readonly maxRefusals: number,
    private readonly windowMs: number,
  ) {}

  /** Records a refusal at `now` (milliseconds); true when it makes more than `maxRefusals` in the window. */
  record(now: number): boolean {
    const times = (this.times ??= new Float64Array(this.maxRefusals).fill(-Infinity));
    // The slot about to be overwritten holds the refusal `maxRefusals` refusals ago.
    const flooded = now - times[this.next] < this.windowMs;
    times[this.next] = now;
    this.next = (this.next + 1) % this.maxRefusals;
    return flooded;
  }
}
