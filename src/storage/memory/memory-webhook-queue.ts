import {
  isWebhookMarker,
  type PartitionEntry,
  type QueuedWebhookEntry,
  type WebhookBacklog,
  type WebhookEntry,
  type WebhookFailure,
  type WebhookOutcomes,
  type WebhookQueue,
  type WebhookQueueLimits,
} from '../webhook-queue.js';

interface Lease {
  owner: string;
  until: number;
}

/**
 * The webhook queue of one node: lost when the process ends (docs/webhooks.md says so). Each
 * partition is an array read from its head; delivered entries leave from the head too.
 */
export class MemoryWebhookQueue implements WebhookQueue {
  private readonly partitions: QueuedWebhookEntry[][];
  private readonly leases = new Map<number, Lease>();
  private nextPosition = 0;
  private dropped = 0;
  private lastSuccessAt: number | null = null;
  private lastFailure?: WebhookFailure;

  constructor(
    private readonly limits: WebhookQueueLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.partitions = Array.from({ length: limits.partitions }, () => []);
  }

  append(partition: number, entries: readonly PartitionEntry[]): Promise<void> {
    // Only a Redis Cluster's history makes markers; with memory, every event comes whole.
    const events = entries.filter((entry): entry is WebhookEntry => !isWebhookMarker(entry));
    if (events.length < entries.length) {
      return Promise.reject(new Error('the memory webhook queue takes no markers'));
    }
    const queue = this.partitions[partition];
    for (const entry of events) {
      this.nextPosition += 1;
      queue.push({ ...entry, position: String(this.nextPosition) });
    }
    const over = queue.length - this.limits.perPartition;
    if (over > 0) {
      queue.splice(0, over);
      this.dropped += over;
    }
    return Promise.resolve();
  }

  lease(partition: number, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    const lease = this.leases.get(partition);
    if (lease !== undefined && lease.owner !== owner && lease.until > now) {
      return Promise.resolve(false);
    }
    this.leases.set(partition, { owner, until: now + leaseMs });
    return Promise.resolve(true);
  }

  release(partition: number, owner: string): Promise<void> {
    if (this.leases.get(partition)?.owner === owner) this.leases.delete(partition);
    return Promise.resolve();
  }

  head(partition: number, limit: number): Promise<QueuedWebhookEntry[]> {
    return Promise.resolve(this.partitions[partition].slice(0, limit));
  }

  remove(partition: number, positions: readonly string[]): Promise<void> {
    const gone = new Set(positions);
    const queue = this.partitions[partition];
    // Delivered entries are the head's, so this usually stops after them.
    let kept = 0;
    while (kept < queue.length && gone.has(queue[kept].position)) kept += 1;
    queue.splice(0, kept);
    if (gone.size > kept) {
      this.partitions[partition] = queue.filter((entry) => !gone.has(entry.position));
    }
    return Promise.resolve();
  }

  countDropped(count: number): Promise<void> {
    this.dropped += count;
    return Promise.resolve();
  }

  backlog(): Promise<WebhookBacklog> {
    let queued = 0;
    let oldestTs: number | undefined;
    for (const queue of this.partitions) {
      queued += queue.length;
      if (queue.length > 0 && (oldestTs === undefined || queue[0].ts < oldestTs)) {
        oldestTs = queue[0].ts;
      }
    }
    return Promise.resolve({ queued, oldestTs, dropped: this.dropped });
  }

  noteSuccess(at: number): Promise<void> {
    this.lastSuccessAt = at;
    return Promise.resolve();
  }

  noteFailure({ at, status, message }: WebhookFailure): Promise<void> {
    this.lastFailure = status === undefined ? { at, message } : { at, status, message };
    return Promise.resolve();
  }

  outcomes(): Promise<WebhookOutcomes> {
    return Promise.resolve({
      lastSuccessAt: this.lastSuccessAt,
      ...(this.lastFailure === undefined ? {} : { lastFailure: this.lastFailure }),
    });
  }
}
