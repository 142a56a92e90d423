import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { RedisOutageLog } from '../storage/redis/redis-outage-log.js';
import { WEBHOOK_QUEUE, type PartitionEntry, type WebhookQueue } from '../storage/webhook-queue.js';

/** While the queue refuses appends (Redis away), they are tried again this often. */
const RETRY_MS = 1000;

interface Outgoing {
  partition: number;
  entry: PartitionEntry;
}

/**
 * The node's events on their way into the queue. Recording one only pushes it here; the events of
 * one turn of the event loop go to the queue together (one append per partition, pipelined), off
 * the path of the reply that recorded them. While the queue refuses them (Redis away) they wait
 * here, in order, at most WEBHOOK_QUEUE_MAX of them: beyond that the oldest are dropped and
 * counted, as the queue itself would.
 */
@Injectable()
export class WebhookOutbox {
  private waiting: Outgoing[] = [];
  /** Dropped here and not yet counted in the queue. */
  private uncounted = 0;
  private flushing?: Promise<void>;
  private scheduled = false;
  private retry?: NodeJS.Timeout;
  private readonly appendedListeners: ((partition: number) => void)[] = [];
  private readonly max: number;

  constructor(
    config: AppConfig,
    @Inject(WEBHOOK_QUEUE) private readonly queue: WebhookQueue | null,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Optional() private readonly outageLog?: RedisOutageLog,
  ) {
    this.max = config.webhooks?.queueMax ?? 0;
  }

  /** How many events wait here, not yet in the queue. */
  get size(): number {
    return this.waiting.length;
  }

  /** Queues an event, or a marker of events that a store queued in a room's outbox. */
  add(partition: number, entry: PartitionEntry): void {
    if (this.queue === null) return;
    this.waiting.push({ partition, entry });
    if (this.waiting.length > this.max) {
      this.waiting.shift();
      this.uncounted += 1;
    }
    if (this.scheduled || this.flushing !== undefined || this.retry !== undefined) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** Calls `listener` with each partition that this node has just appended to. */
  onAppended(listener: (partition: number) => void): void {
    this.appendedListeners.push(listener);
  }

  /** Tells the listeners of an append to `partition` made elsewhere (by a store, in its own step). */
  tellAppended(partition: number): void {
    for (const listener of this.appendedListeners) listener(partition);
  }

  /**
   * Appends what waits, for a shutdown: resolves once nothing waits, or after `timeoutMs` (what
   * still waits then is lost with the process, and the log says how many).
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    clearTimeout(this.retry);
    this.retry = undefined;
    while (this.waiting.length > 0 || this.flushing !== undefined) {
      if (Date.now() >= deadline) break;
      await (this.flushing ?? this.flush());
    }
    if (this.waiting.length > 0) {
      this.logger.error(
        { lost: this.waiting.length },
        'webhook events lost: the queue refused them',
      );
    }
  }

  private flush(): Promise<void> {
    this.flushing ??= this.appendWaiting().finally(() => {
      this.flushing = undefined;
      if (this.waiting.length > 0 && this.retry === undefined) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
    });
    return this.flushing;
  }

  private async appendWaiting(): Promise<void> {
    const queue = this.queue!;
    const taken = this.waiting;
    this.waiting = [];
    const byPartition = new Map<number, PartitionEntry[]>();
    for (const { partition, entry } of taken) {
      const entries = byPartition.get(partition);
      if (entries === undefined) byPartition.set(partition, [entry]);
      else entries.push(entry);
    }
    const dropped = this.uncounted;
    this.uncounted = 0;
    const outcomes = await Promise.allSettled([
      ...[...byPartition].map(([partition, entries]) => queue.append(partition, entries)),
      dropped > 0 ? queue.countDropped(dropped) : Promise.resolve(),
    ]);
    const partitions = [...byPartition.keys()];
    const failed = new Set(partitions.filter((_, i) => outcomes[i].status === 'rejected'));
    if (outcomes[partitions.length].status === 'rejected') this.uncounted += dropped;
    for (const partition of partitions) if (!failed.has(partition)) this.tellAppended(partition);
    if (failed.size === 0) {
      this.outageLog?.working('webhook queue');
      return;
    }
    const firstFailure = outcomes.find((outcome) => outcome.status === 'rejected');
    this.outageLog?.failing('webhook queue', firstFailure?.reason);
    // Back in front of what came meanwhile, so that each partition keeps its order.
    this.waiting = taken.filter(({ partition }) => failed.has(partition)).concat(this.waiting);
    const over = this.waiting.length - this.max;
    if (over > 0) {
      this.waiting.splice(0, over);
      this.uncounted += over;
    }
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.flush();
    }, RETRY_MS).unref();
  }
}
