import type { RedisCommands } from './redis-client.js';
import type { Message } from '@switchboard/contract';
import type {
  AppendResult,
  HistoryLimits,
  HistorySlice,
  HistoryStore,
  MessageBroadcast,
  MessageDraft,
  MessageWebhookEvent,
} from '../stores.js';
import type { WebhookQueueLimits } from '../webhook-queue.js';
import { APPEND_MESSAGE, READ_PAGE, broadcastAround } from './redis-history.scripts.js';
import { UnconfirmedWrites, type DurableWrites } from './durable-writes.js';
import { RedisHistoryBounds } from './redis-history-bounds.js';
import type { RedisKeys } from './redis-keys.js';

const NO_BROADCAST: [string, string] = ['', ''];

/** What APPEND_MESSAGE returns (see there). */
type AppendReply = [
  created: 0 | 1 | 3,
  offsetOrEarlier?: number | string,
  touch?: 0 | 1,
  queued?: string,
  trimmed?: number,
];

const idempotencyKey = (userId: string, clientMsgId: string) => `${userId}\u0000${clientMsgId}`;

/**
 * A room's history in Redis: its last offset (a counter), its last `limit` messages (a list of
 * their JSON, contiguous by offset) and the clientMsgIds still in that window (a hash), all in the
 * room's hash slot. The bounds on rooms live apart (RedisHistoryBounds), asked only when a room
 * without a history is written to: a message to a room with a history pays for none of it.
 */
export class RedisHistoryStore implements HistoryStore {
  readonly announcesAppends = true;
  readonly queuesWebhookEvents: boolean;
  private readonly bounds: RedisHistoryBounds;

  constructor(
    private readonly redis: RedisCommands,
    private readonly keys: RedisKeys,
    private readonly limits: HistoryLimits,
    /** Where appends go: confirmed by replicas before they are answered, with REDIS_WAIT_REPLICAS. */
    private readonly writes: DurableWrites = new UnconfirmedWrites(redis),
    /** The webhook queue's bounds (RedisWebhookQueue's, same keys); undefined with webhooks off. */
    private readonly webhookLimits?: WebhookQueueLimits,
  ) {
    this.queuesWebhookEvents = webhookLimits !== undefined;
    this.bounds = new RedisHistoryBounds(redis, keys, limits);
  }

  async append(
    draft: MessageDraft,
    broadcast?: MessageBroadcast,
    newRoomsCounter?: string,
    webhookEvent?: MessageWebhookEvent,
  ): Promise<AppendResult> {
    const { room, ts } = draft;
    let reply = await this.appendStep(draft, false, broadcast, webhookEvent);
    if (reply[0] === 3) {
      const refused = await this.bounds.admit(room, ts, newRoomsCounter);
      if (refused !== undefined) return { created: false, refused };
      reply = await this.appendStep(draft, true, broadcast, webhookEvent);
    }
    const [created, value, touch, queued, trimmed] = reply;
    if (created === 0) return { created: false, message: JSON.parse(value as string) as Message };
    if (touch === 1) this.bounds.touch(room, ts);
    const { id, user, text, clientMsgId } = draft;
    const message: Message = { id, room, offset: value as number, user, text, ts };
    if (clientMsgId !== undefined) message.clientMsgId = clientMsgId;
    const result = { created: true as const, message, announced: broadcast !== undefined };
    if (webhookEvent === undefined || !this.redis.isCluster) return result;
    const webhookMarker = { ts: webhookEvent.ts, room, upTo: queued!, dropped: trimmed ?? 0 };
    return { ...result, webhookMarker };
  }

  /** APPEND_MESSAGE, in the room's slot; `admitted` when the bounds let the room in. */
  private async appendStep(
    draft: MessageDraft,
    admitted: boolean,
    broadcast: MessageBroadcast | undefined,
    webhookEvent: MessageWebhookEvent | undefined,
  ): Promise<AppendReply> {
    const { id, room, user, text, ts, clientMsgId } = draft;
    const [broadcastBefore, broadcastAfter] =
      broadcast === undefined ? NO_BROADCAST : broadcastAround(broadcast);
    // Serialised once, in the contract's field order, around the offset only Redis can know.
    const beforeOffset = `${JSON.stringify({ id, room }).slice(0, -1)},"offset":`;
    const afterOffset = `,${JSON.stringify({ user, text, ts, clientMsgId }).slice(1)}`;
    const keys = [
      this.keys.lastOffset(room),
      this.keys.history(room),
      this.keys.clientMsgIds(room),
      this.keys.historyRecorded(room),
    ];
    const args = [
      this.limits.perRoom,
      clientMsgId === undefined ? '' : idempotencyKey(user.id, clientMsgId),
      beforeOffset,
      afterOffset,
      admitted ? '1' : '0',
      ts,
      this.bounds.touchEveryMs,
      this.writes.confirming ? '1' : '0',
      // The broadcast, to its channel of the Socket.IO adapter.
      broadcast === undefined ? '' : this.keys.channels.of(broadcast.rooms),
      broadcastBefore,
      broadcastAfter,
    ];
    if (webhookEvent !== undefined) this.queueing(webhookEvent, room, keys, args);
    return this.writes.run(
      keys[0],
      async (client) => (await APPEND_MESSAGE.run(client, keys, args)) as AppendReply,
      // A room not let in yet: nothing was written.
      ([outcome]) => outcome !== 3,
    );
  }

  /**
   * The keys and arguments with which APPEND_MESSAGE queues the event: in its partition on one
   * Redis; on a Redis Cluster, where the partition is in another slot than the room's, in the
   * room's outbox, bounded like a partition, for the marker that `append` returns.
   */
  private queueing(
    event: MessageWebhookEvent,
    room: string,
    keys: string[],
    args: (string | number)[],
  ): void {
    if (this.webhookLimits === undefined) {
      throw new Error('this history store queues no webhook events: webhooks are off');
    }
    if (this.redis.isCluster) keys.push(this.keys.webhookOutbox(room));
    else {
      keys.push(
        this.keys.webhookEvents(event.partition),
        this.keys.webhookDropped(event.partition),
      );
    }
    args.push(this.webhookLimits.perPartition, event.ts, event.before, event.after);
  }

  async lastOffset(room: string): Promise<number> {
    return Number((await this.redis.get(this.keys.lastOffset(room))) ?? 0);
  }

  after(room: string, after: number, limit: number, before?: number): Promise<HistorySlice> {
    return this.page(room, 'after', after, before, limit);
  }

  before(room: string, before: number | undefined, limit: number): Promise<HistorySlice> {
    return this.page(room, 'before', 0, before, limit);
  }

  private async page(
    room: string,
    direction: 'after' | 'before',
    after: number,
    before: number | undefined,
    limit: number,
  ): Promise<HistorySlice> {
    const [hasMore, ...messages] = (await READ_PAGE.run(
      this.redis,
      [this.keys.lastOffset(room), this.keys.history(room)],
      [direction, after, before ?? '', limit],
    )) as [number, ...string[]];
    return {
      messages: messages.map((json) => JSON.parse(json) as Message),
      hasMore: hasMore === 1,
    };
  }
}
