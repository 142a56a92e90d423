/**
 * Where webhook events wait until the application's backend took them (docs/webhooks.md): in
 * memory on one node, in Redis across a cluster. Events are split into partitions (a room's
 * events, or a user's, always in the same one) and each partition is read by one node at a time,
 * the holder of its lease, so that its events go out once and in order.
 */

export const WEBHOOK_QUEUE = Symbol('WEBHOOK_QUEUE');

/** An event as it is recorded: its JSON (serialised once) and its time, in ms since the epoch. */
export interface WebhookEntry {
  ts: number;
  json: string;
}

/** An event waiting in a partition; `position` names it there (to remove it once delivered). */
export interface QueuedWebhookEntry extends WebhookEntry {
  position: string;
}

/** A delivery that did not succeed, as the status route tells it. */
export interface WebhookFailure {
  at: number;
  status?: number;
  message: string;
}

/** What waits, across the cluster; `oldestTs` undefined when nothing does. */
export interface WebhookBacklog {
  queued: number;
  oldestTs?: number;
  dropped: number;
}

/** The last outcomes of deliveries, whichever node sent them. */
export interface WebhookOutcomes {
  lastSuccessAt: number | null;
  lastFailure?: WebhookFailure;
}

export interface WebhookQueueLimits {
  partitions: number;
  /**
   * How many events one partition keeps; beyond it the oldest are dropped and counted. Each
   * partition's share of WEBHOOK_QUEUE_MAX, so that the whole never holds more.
   */
  perPartition: number;
}

export interface WebhookQueue {
  /**
   * Appends the entries, in their order, behind those of the partition, and in the same step
   * drops (and counts) the oldest beyond the partition's bound.
   */
  append(partition: number, entries: readonly WebhookEntry[]): Promise<void>;
  /**
   * Takes the partition's lease for `owner` for `leaseMs` when nobody else holds it, or extends
   * it when `owner` does: true when `owner` holds it now.
   */
  lease(partition: number, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease up when `owner` holds it, so that another node takes the partition at once. */
  release(partition: number, owner: string): Promise<void>;
  /** The first `limit` entries of the partition, oldest first. */
  head(partition: number, limit: number): Promise<QueuedWebhookEntry[]>;
  /** Removes entries (delivered, or given up); a position no longer there is ignored. */
  remove(partition: number, positions: readonly string[]): Promise<void>;
  /** Counts events dropped before they reached the queue (a node's own bounded buffer). */
  countDropped(count: number): Promise<void>;
  backlog(): Promise<WebhookBacklog>;
  noteSuccess(at: number): Promise<void>;
  noteFailure(failure: WebhookFailure): Promise<void>;
  outcomes(): Promise<WebhookOutcomes>;
}

/** Each partition's share of the queue's bound (at least one event). */
export function webhookQueueLimitsOf(partitions: number, queueMax: number): WebhookQueueLimits {
  return { partitions, perPartition: Math.max(1, Math.floor(queueMax / partitions)) };
}
