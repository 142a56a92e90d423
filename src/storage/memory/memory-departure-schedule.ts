import { type DepartureSchedule, type DueDeparture } from '../departures.js';

interface Pending {
  due: number;
  departure: DueDeparture;
}

/**
 * The departures of one node, shared by its memory presence and user-sockets stores. They change
 * it synchronously with presence, so an arrival always finds its departure and takes it back:
 * what is pending is absent. At most one departure per user, room and member is pending, each no
 * longer than the delay: the schedule is bounded by the presence that was recently lost.
 */
export class MemoryDepartureSchedule implements DepartureSchedule {
  /** By subject; with one delay for all and a clock that goes forward, insertion is due order. */
  private readonly pending = new Map<string, Pending>();

  constructor(
    readonly delayMs: number,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  /** Schedules the departure unless one of this subject is pending already. */
  schedule(subject: string, departure: DueDeparture): void {
    if (this.pending.has(subject)) return;
    this.pending.set(subject, { due: this.clock() + this.delayMs, departure });
  }

  /** Takes back the subject's pending departure; true when there was one. */
  takeBack(subject: string): boolean {
    return this.pending.delete(subject);
  }

  now(): number {
    return this.clock();
  }

  claimDue(now: number, limit: number): Promise<DueDeparture[]> {
    const due: DueDeparture[] = [];
    for (const [subject, { due: at, departure }] of this.pending) {
      if (at > now || due.length >= limit) break;
      this.pending.delete(subject);
      due.push(departure);
    }
    return Promise.resolve(due);
  }
}
