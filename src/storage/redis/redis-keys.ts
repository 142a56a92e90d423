import { RoomChannels } from './room-channels.js';

/**
 * Every key and stream of one deployment, under its `REDIS_KEY_PREFIX`. Room names and ids come
 * last, so that a name holding `:` cannot reach another key's shape.
 */
export class RedisKeys {
  private roomChannels: RoomChannels | undefined;

  constructor(readonly prefix: string) {}

  /** The pub/sub channels of Socket.IO's adapter, which chat messages are also published to. */
  get channels(): RoomChannels {
    return (this.roomChannels ??= new RoomChannels(this.prefix));
  }

  /**
   * A room's keys: a prefix, then the room's name as the key's hash tag, which the room's channel
   * carries too, so that on a Redis Cluster all of them share one hash slot (and one script may
   * touch them all), while rooms spread over the shards. Room names and the prefix hold no braces.
   */
  get lastOffsetPrefix(): string {
    return `${this.prefix}offset:`;
  }
  get historyPrefix(): string {
    return `${this.prefix}history:`;
  }
  get clientMsgIdsPrefix(): string {
    return `${this.prefix}client-msg-ids:`;
  }
  lastOffset(room: string): string {
    return `${this.lastOffsetPrefix}{${room}}`;
  }
  history(room: string): string {
    return `${this.historyPrefix}{${room}}`;
  }
  clientMsgIds(room: string): string {
    return `${this.clientMsgIdsPrefix}{${room}}`;
  }
  /** When the history's bounds last recorded a write to the room (see RedisHistoryBounds). */
  historyRecorded(room: string): string {
    return `${this.prefix}history-recorded:{${room}}`;
  }
  /**
   * The rooms with a history, by when they were last written to, and beside them (same hash slot,
   * so that one script keeps both bounds) how many rooms each counter brought in per clock hour.
   */
  get historyRooms(): string {
    return `${this.prefix}{history-bounds}:rooms`;
  }
  /**
   * How many rooms a counter brought into the history in one clock hour: this prefix, the hour's
   * number since the epoch, `:` and the counter.
   */
  get newRoomsPrefix(): string {
    return `${this.prefix}{history-bounds}:new-rooms:`;
  }

  /**
   * Who is present where, each user's sockets and their pending notifications share one hash tag,
   * so that on a Redis Cluster they are one slot: their scripts answer across rooms, users and
   * nodes in one atomic step (rooms two users share, a dead node's sockets, a departure told once,
   * a notification scheduled on every node of its user), which keys spread over slots could not.
   * Their load is per connection, join, leave and notification, never per message. Scripts whose
   * keys are built inside them name this key (never written) so that a cluster routes them here.
   */
  get usersSlot(): string {
    return `${this.prefix}{users}`;
  }

  /** The presence scripts build a room's, a socket's and a node's keys under this prefix. */
  get presencePrefix(): string {
    return `${this.usersSlot}:presence:`;
  }

  /** The presence store's sorted set of live nodes by last heartbeat (see the presence scripts). */
  get presenceNodes(): string {
    return `${this.presencePrefix}nodes`;
  }

  /** A user's connected sockets, for MAX_SOCKETS_PER_USER. */
  userSockets(userId: string): string {
    return this.userSocketsPrefix + userId;
  }
  /** The departure scripts build a user's key of connected sockets under this prefix. */
  get userSocketsPrefix(): string {
    return `${this.usersSlot}:user-sockets:`;
  }
  /**
   * With departures scheduled (webhooks on): each node's registered sockets, this prefix and the
   * node's id, a hash socket id → user JSON, so that the sockets of a node that died are found.
   */
  get socketsOfNodePrefix(): string {
    return `${this.usersSlot}:sockets-of-node:`;
  }
  socketsOfNode(nodeId: string): string {
    return this.socketsOfNodePrefix + nodeId;
  }
  /** The set of node ids that have an entry under socketsOfNodePrefix. */
  get nodesWithSockets(): string {
    return `${this.usersSlot}:nodes-with-sockets`;
  }

  /** The pending-notification scripts build each user's keys under this prefix. */
  get pendingPrefix(): string {
    return `${this.usersSlot}:pending:`;
  }

  /** When a node next offers each user whose sockets it holds what they have pending. */
  offers(nodeId: string): string {
    return `${this.pendingPrefix}offers:${nodeId}`;
  }

  /** The answer of the server API to one idempotency key (already scoped to its route). */
  idempotency(key: string): string {
    return `${this.prefix}idempotency:${key}`;
  }

  /**
   * A webhook partition's keys share a hash tag, so that its scripts stay in one slot of a Redis
   * Cluster: its stream of events, its lease, and how many of its events were dropped.
   */
  webhookEvents(partition: number): string {
    return `${this.prefix}webhooks:{${partition}}:events`;
  }
  webhookLease(partition: number): string {
    return `${this.prefix}webhooks:{${partition}}:lease`;
  }
  webhookDropped(partition: number): string {
    return `${this.prefix}webhooks:{${partition}}:dropped`;
  }
  /**
   * On a Redis Cluster, a room's `message.created` events on their way to its partition: a stream
   * in the room's slot, which the step that gives a message its offset can write (see
   * WebhookMarker).
   */
  webhookOutbox(room: string): string {
    return `${this.prefix}webhook-outbox:{${room}}`;
  }
  /** When a delivery last succeeded, and the last failure, whichever node sent them. */
  get webhookOutcomes(): string {
    return `${this.prefix}webhooks:outcomes`;
  }
}
