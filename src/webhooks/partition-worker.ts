import { randomUUID } from 'node:crypto';
import type { QueuedWebhookEntry, WebhookQueue } from '../storage/webhook-queue.js';
import type { TryOutcome } from './webhook-endpoint.js';
import { retryDelayMs } from './retry-schedule.js';

/**
 * A partition's lease lasts this long unless renewed: a node that dies holding it stops holding
 * up its partition after this long at most.
 */
export const LEASE_MS = 5000;
/** The owner renews its lease three times per lease, so that two renewals may fail before it runs out. */
const RENEWALS_PER_LEASE = 3;
/** A node that does not own a partition asks for it this often. */
const CLAIM_MS = 1000;
/** After the queue failed (Redis away), the worker waits this long before trying again. */
const QUEUE_FAILURE_PAUSE_MS = 1000;

export interface PartitionWorkerOptions {
  queue: WebhookQueue;
  /** This node, as lease owner. */
  owner: string;
  /** @default LEASE_MS */
  leaseMs?: number;
  batchMax: number;
  batchMs: number;
  retrySeconds: number;
  /**
   * How often an owner looks for events that other nodes appended (its own wake it at once). On
   * one node, only a safety net.
   */
  pollMs: number;
  /** One try; `lapse` aborts it when this node's lease ends meanwhile. */
  send: (body: string, deliveryId: string, lapse: AbortSignal) => Promise<TryOutcome>;
  /** Told of each try and of each delivery given up; never throws. */
  report: (report: WorkerReport) => void;
}

export type WorkerReport =
  | { kind: 'ok'; at: number; events: number }
  | { kind: 'failed'; at: number; outcome: Extract<TryOutcome, { ok: false }>; deliveryId: string }
  | { kind: 'dropped'; events: number; deliveryId: string; since: number }
  | { kind: 'queue-failing'; error: unknown }
  | { kind: 'queue-working' };

/**
 * Sends the events of one partition, in order, one delivery at a time, while this node holds the
 * partition's lease. A delivery keeps its id and its events through every retry; its events leave
 * the queue only after a 2xx (or when given up), so that a node dying meanwhile loses none: the
 * next owner sends them again, under its own delivery id.
 */
export class PartitionWorker {
  private stopped = false;
  private ownedUntil = 0;
  private renewal?: NodeJS.Timeout;
  /** Fires when the lease, as this node last knew it, ends: the try in flight must stop then. */
  private lapseTimer?: NodeJS.Timeout;
  private lapse = new AbortController();
  private interrupt?: () => void;
  private wakeable = false;
  private running?: Promise<void>;

  constructor(
    private readonly partition: number,
    private readonly options: PartitionWorkerOptions,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  /** Events were appended to the partition: look now rather than at the next poll. */
  wake(): void {
    if (this.wakeable) this.interrupt?.();
  }

  /** Stops after the current try (the caller aborts it when it must not wait), then releases. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.();
    await this.running;
    clearInterval(this.renewal);
    clearTimeout(this.lapseTimer);
    if (this.ownedUntil > 0) {
      await this.options.queue.release(this.partition, this.options.owner).catch(() => undefined);
    }
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? LEASE_MS;
  }

  private owns(): boolean {
    return Date.now() < this.ownedUntil;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.step();
        this.options.report({ kind: 'queue-working' });
      } catch (error) {
        this.options.report({ kind: 'queue-failing', error });
        await this.pause(QUEUE_FAILURE_PAUSE_MS, false);
      }
    }
  }

  private async step(): Promise<void> {
    if (!this.owns() && !(await this.claim())) return this.pause(CLAIM_MS, false);
    const { queue, batchMax, batchMs } = this.options;
    const head = await queue.head(this.partition, batchMax);
    if (head.length === 0) return this.pause(this.options.pollMs, true);
    const wait = head[0].ts + batchMs - Date.now();
    // A batch waits at most WEBHOOK_BATCH_MS after its first event for more, unless it is full.
    // Events already waiting longer (a backlog) go together up to WEBHOOK_BATCH_MAX: limiting them
    // to that window too would cap a partition at WEBHOOK_BATCH_MS of events per round trip, and
    // a backend further away than that would never catch up.
    if (head.length < batchMax && wait > 0) return this.pause(wait, false);
    await this.deliver(head);
  }

  private async claim(): Promise<boolean> {
    if (!(await this.renew())) return false;
    clearInterval(this.renewal);
    this.renewal = setInterval(
      () => void this.renew().catch(() => undefined),
      this.leaseMs / RENEWALS_PER_LEASE,
    ).unref();
    return true;
  }

  /** Takes or extends the lease; a failure to ask leaves the lease to run out as it would. */
  private async renew(): Promise<boolean> {
    const askedAt = Date.now();
    const held = await this.options.queue.lease(this.partition, this.options.owner, this.leaseMs);
    // Counted from before the question: the lease may have started any time after it.
    this.ownedUntil = held ? askedAt + this.leaseMs : 0;
    if (!held) clearInterval(this.renewal);
    // Another node may take the partition once the lease ends: a try still in flight then would
    // send its events beside that node's.
    clearTimeout(this.lapseTimer);
    this.lapseTimer = setTimeout(
      () => this.lapse.abort(),
      Math.max(0, this.ownedUntil - Date.now()),
    ).unref();
    return held;
  }

  private async deliver(batch: QueuedWebhookEntry[]): Promise<void> {
    const { queue, send, report, retrySeconds } = this.options;
    const deliveryId = randomUUID();
    const body = `{"events":[${batch.map((entry) => entry.json).join(',')}]}`;
    const positions = batch.map((entry) => entry.position);
    const since = Date.now();
    for (let retry = 1; ; retry += 1) {
      // A node that lost the lease leaves the events to the new owner.
      if (this.stopped || !this.owns()) return;
      if (this.lapse.signal.aborted) this.lapse = new AbortController();
      const outcome = await send(body, deliveryId, this.lapse.signal);
      const at = Date.now();
      if (outcome.ok) {
        report({ kind: 'ok', at, events: batch.length });
        return queue.remove(this.partition, positions);
      }
      // Cut short by the shutdown or by the lease's end: no failure of the backend.
      if (this.stopped || !this.owns()) return;
      report({ kind: 'failed', at, outcome, deliveryId });
      const delay = retryDelayMs(retry);
      if (at + delay - since > retrySeconds * 1000) {
        report({ kind: 'dropped', events: batch.length, deliveryId, since });
        await queue.remove(this.partition, positions);
        return queue.countDropped(batch.length);
      }
      await this.pause(delay, false);
    }
  }

  /** Waits `ms`, less when stopped (or, when `wakeable`, woken by an append). */
  private pause(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.interrupt = undefined;
        this.wakeable = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interrupt = done;
      this.wakeable = wakeable;
    });
  }
}
