import type { RedisCommands } from './redis-client.js';
import {
  isWebhookMarker,
  type PartitionEntry,
  type QueuedWebhookEntry,
  type WebhookBacklog,
  type WebhookFailure,
  type WebhookOutcomes,
  type WebhookQueue,
  type WebhookQueueLimits,
} from '../webhook-queue.js';
import { LuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';
import { APPEND_WEBHOOK_ENTRIES } from './redis-webhook-queue.scripts.js';
import { entryOf, WebhookOutboxes, type StreamEntry } from './redis-webhook-outboxes.js';

/** KEYS: the lease. ARGV: the owner, the lease's length (ms). 1 when the owner holds it now. */
const LEASE = new LuaScript(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/** KEYS: the lease. ARGV: the owner. */
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`);

/** Entries per append command: a long outage's backlog goes in several, in order. */
const ENTRIES_PER_APPEND = 500;

/**
 * The webhook queue shared by the nodes: a Redis stream per partition, whose entry ids (Redis's
 * own, increasing) keep the order in which the nodes appended; a lease per partition (a key with
 * its owner and an expiry) so that one node at a time reads it; entries deleted after their 2xx.
 * Nothing of it lives in a node: a node that dies leaves its partitions' events and leases, which
 * run out, and another node sends the events again.
 *
 * On a Redis Cluster a partition also holds markers of rooms' outboxes (WebhookMarker), read in
 * their place by WebhookOutboxes. The backlog counts a marker as its one event: an event read at
 * a marker of its room that overtook its own still counts until the sender reaches its own.
 */
export class RedisWebhookQueue implements WebhookQueue {
  private readonly outboxes?: WebhookOutboxes;

  constructor(
    private readonly redis: RedisCommands,
    private readonly keys: RedisKeys,
    private readonly limits: WebhookQueueLimits,
  ) {
    if (redis.isCluster) this.outboxes = new WebhookOutboxes(redis, keys);
  }

  async append(partition: number, entries: readonly PartitionEntry[]): Promise<void> {
    const keys = [this.keys.webhookEvents(partition), this.keys.webhookDropped(partition)];
    const appends: Promise<unknown>[] = [];
    let outboxDrops = 0;
    for (const entry of entries) if (isWebhookMarker(entry)) outboxDrops += entry.dropped;
    // Sent together, by source: one connection keeps their order, and no NOSCRIPT retry breaks it.
    for (let start = 0; start < entries.length; start += ENTRIES_PER_APPEND) {
      const args: (string | number)[] = [this.limits.perPartition, start === 0 ? outboxDrops : 0];
      for (const entry of entries.slice(start, start + ENTRIES_PER_APPEND)) {
        if (isWebhookMarker(entry)) args.push(entry.ts, entry.room, entry.upTo);
        else args.push(entry.ts, entry.json, '');
      }
      appends.push(APPEND_WEBHOOK_ENTRIES.runInOrder(this.redis, keys, args));
    }
    await Promise.all(appends);
  }

  async lease(partition: number, owner: string, leaseMs: number): Promise<boolean> {
    return (
      (await LEASE.run(this.redis, [this.keys.webhookLease(partition)], [owner, leaseMs])) === 1
    );
  }

  async release(partition: number, owner: string): Promise<void> {
    await RELEASE.run(this.redis, [this.keys.webhookLease(partition)], [owner]);
  }

  async head(partition: number, limit: number): Promise<QueuedWebhookEntry[]> {
    if (this.outboxes !== undefined) return this.outboxes.head(partition, limit);
    const entries = (await this.redis.xrange(
      this.keys.webhookEvents(partition),
      '-',
      '+',
      'COUNT',
      limit,
    )) as StreamEntry[];
    return entries.map(entryOf);
  }

  async remove(partition: number, positions: readonly string[]): Promise<void> {
    if (positions.length === 0) return;
    if (this.outboxes !== undefined) return this.outboxes.remove(partition, positions);
    await this.redis.xdel(this.keys.webhookEvents(partition), ...positions);
  }

  async countDropped(count: number): Promise<void> {
    await this.redis.incrby(this.keys.webhookDropped(0), count);
  }

  async backlog(): Promise<WebhookBacklog> {
    const partitions = Array.from({ length: this.limits.partitions }, (_, i) => i);
    const each = await Promise.all(
      partitions.map(async (partition) => {
        const stream = this.keys.webhookEvents(partition);
        const [length, first, dropped] = await Promise.all([
          this.redis.xlen(stream),
          this.redis.xrange(stream, '-', '+', 'COUNT', 1) as Promise<StreamEntry[]>,
          this.redis.get(this.keys.webhookDropped(partition)),
        ]);
        return { length, oldestTs: first[0] && entryOf(first[0]).ts, dropped: Number(dropped) };
      }),
    );
    const oldest = each.flatMap(({ oldestTs }) => (oldestTs === undefined ? [] : [oldestTs]));
    return {
      queued: each.reduce((sum, { length }) => sum + length, 0),
      oldestTs: oldest.length === 0 ? undefined : Math.min(...oldest),
      dropped: each.reduce((sum, { dropped }) => sum + dropped, 0),
    };
  }

  async noteSuccess(at: number): Promise<void> {
    await this.redis.hset(this.keys.webhookOutcomes, 'lastSuccessAt', at);
  }

  async noteFailure(failure: WebhookFailure): Promise<void> {
    await this.redis.hset(this.keys.webhookOutcomes, 'lastFailure', JSON.stringify(failure));
  }

  async outcomes(): Promise<WebhookOutcomes> {
    const [lastSuccessAt, lastFailure] = await this.redis.hmget(
      this.keys.webhookOutcomes,
      'lastSuccessAt',
      'lastFailure',
    );
    return {
      lastSuccessAt: lastSuccessAt === null ? null : Number(lastSuccessAt),
      ...(lastFailure === null ? {} : { lastFailure: JSON.parse(lastFailure) as WebhookFailure }),
    };
  }
}
