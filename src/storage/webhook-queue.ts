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

/**
 * In a partition, the place of a message's `message.created` that waits in its room's outbox: on a
 * Redis Cluster the step that gives a message its offset can write only to the room's hash slot,
 * so it queues the event there (in offset order), and the node then appends this marker to the
 * partition. Read, a marker stands for its room's outbox entries up to `upTo` not yet read.
 */
export interface WebhookMarker {
  /** The event's time, ms since the epoch. */
  ts: number;
  room: string;
  /** The position of the marker's own event in the room's outbox. */
  upTo: string;
  /** How many of the outbox's oldest events that step dropped (its bound), to count. */
  dropped: number;
}

/** What a partition is appended: events, and (on a Redis Cluster) markers. */
export type PartitionEntry = WebhookEntry | WebhookMarker;

/** Whether `entry` is a marker (see WebhookMarker). */
export function isWebhookMarker(entry: PartitionEntry): entry is WebhookMarker {
  return 'upTo' in entry;
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
   * drops (and counts) the oldest beyond the partition's bound. Markers are for a queue that
   * expands them (RedisWebhookQueue); a marker dropped by the bound drops no event (its events wait
   * for the room's next marker), and a marker's `dropped` is counted here.
   */
  append(partition: number, entries: readonly PartitionEntry[]): Promise<void>;
  /**
   * Takes the partition's lease for `owner` for `leaseMs` when nobody else holds it, or extends
   * it when `owner` does: true when `owner` holds it now.
   */
  lease(partition: number, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease up when `owner` holds it, so that another node takes the partition at once. */
  release(partition: number, owner: string): Promise<void>;
  /** The first `limit` events of the partition, oldest first (markers read as their events). */
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
