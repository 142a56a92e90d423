import type { LeaveReason, Message, Notification, User } from '@switchboard/contract';
import type { JoinNews } from './departures.js';
import type { WebhookMarker } from './webhook-queue.js';

/**
 * The storage seams of the service. Every method is async so that a networked implementation
 * (Redis) fits behind the same interface; the memory implementations answer synchronously inside.
 */

export const HISTORY_STORE = Symbol('HISTORY_STORE');
export const PRESENCE_STORE = Symbol('PRESENCE_STORE');
export const PENDING_NOTIFICATION_STORE = Symbol('PENDING_NOTIFICATION_STORE');

export interface MessageDraft {
  id: string;
  room: string;
  user: User;
  text: string;
  ts: number;
  clientMsgId?: string;
}

/**
 * Whom the broadcast of a message about to be stored goes to, for a store that publishes it in the
 * same step as it allocates the offset: the event, and the Socket.IO rooms that get it and that
 * do not (a socket's id, a user's room).
 */
export interface MessageBroadcast {
  event: string;
  rooms: string[];
  except: string[];
}

/**
 * A webhook event about the message being stored, for a store that queues it in the same step as
 * it gives the message its offset (`HistoryStore.queuesWebhookEvents`): then a partition's events
 * of a room are in offset order, whichever node stored each message. The event's JSON is
 * `before + message JSON + after`, the message JSON being known in full (its offset) only there.
 */
export interface MessageWebhookEvent {
  partition: number;
  /** The queue entry's time, ms since the epoch: the event's `ts`. */
  ts: number;
  before: string;
  after: string;
}

export type AppendResult =
  /**
   * `announced`: the store published the broadcast itself; else the caller broadcasts.
   * `webhookMarker`: the webhook event waits in the room's outbox, and this marker is to be
   * appended to its partition (a Redis Cluster, see WebhookMarker).
   */
  | { created: true; message: Message; announced: boolean; webhookMarker?: WebhookMarker }
  /** A message with the same user and clientMsgId is still in the window: nothing was stored. */
  | { created: false; message: Message }
  /** The room has no history and may not start one now: nothing was stored nor published. */
  | { created: false; refused: NewRoomRefusal };

/**
 * Why a room without a history may not start one: every one of the `rooms` rooms with a history
 * had a message within `evictIdleMs`, or the counter brought `newRoomsPerHour` rooms in this hour.
 */
export type NewRoomRefusal = 'rooms' | 'newRoomsPerHour';

/**
 * What history keeps: the last `perRoom` messages of each room, for at most `rooms` rooms. Without
 * that second bound, a client joining new room names and sending one message to each would grow
 * the store without end; without the other two, it could make space by pushing out the history
 * of rooms still in use.
 */
export interface HistoryLimits {
  perRoom: number;
  rooms: number;
  /** How long a room must have had no message before its history may make space for a new room. */
  evictIdleMs: number;
  /** How many rooms without a history one counter may bring into the store per clock hour. */
  newRoomsPerHour: number;
}

export interface HistorySlice {
  messages: Message[];
  hasMore: boolean;
}

export interface HistoryStore {
  /**
   * Whether `append` publishes the message's broadcast itself. Across nodes, offsets and the order of
   * delivery agree only when the offset is allocated and the broadcast published in one step.
   */
  readonly announcesAppends: boolean;
  /**
   * Whether `append` queues the `webhookEvent` it is given. Across nodes, a room's webhook events
   * are in offset order only when they are queued in the step that allocates the offset.
   */
  readonly queuesWebhookEvents: boolean;
  /**
   * Stores the draft with the room's next offset, atomically with the clientMsgId check, and drops
   * the oldest messages beyond the per-room limit. `draft.ts` is the time of the write.
   *
   * A room without a history starts one only within the limits, checked in the same atomic step:
   * `newRoomsCounter` (when given: who is counted) has brought fewer than `newRoomsPerHour` rooms
   * in during the clock hour (UTC) of `draft.ts`, and there are fewer than `rooms` rooms with a
   * history, or the one written to least recently has had no message for `evictIdleMs`, in which
   * case its history goes (its offsets then start again at 1). Otherwise nothing changes.
   *
   * `webhookEvent`, given only to a store that `queuesWebhookEvents`, is queued with a new
   * message, in the same step, within the webhook queue's bound; never with a repeated
   * clientMsgId nor a refused room.
   */
  append(
    draft: MessageDraft,
    broadcast?: MessageBroadcast,
    newRoomsCounter?: string,
    webhookEvent?: MessageWebhookEvent,
  ): Promise<AppendResult>;
  lastOffset(room: string): Promise<number>;
  /** The first `limit` messages with `after < offset < before` (before optional), oldest first. */
  after(room: string, after: number, limit: number, before?: number): Promise<HistorySlice>;
  /** The last `limit` messages with `offset < before` (every offset when before is undefined), oldest first. */
  before(room: string, before: number | undefined, limit: number): Promise<HistorySlice>;
}

/**
 * A node silent for this long is dead. With rounds every 2 s, its sockets leave their rooms
 * within 6 s + one round: inside the contract's 10 seconds.
 */
export const NODE_TIMEOUT_MS = 6000;

export interface PresenceChange {
  /** True when this socket was not in the room before. */
  socketAdded: boolean;
  /** True when the user became present (their first socket) or stopped being present (their last). */
  userChanged: boolean;
}

export interface JoinOutcome extends PresenceChange {
  /** True when the socket was refused because it is in `maxRoomsPerSocket` rooms already. */
  overLimit: boolean;
  /** Only when the store schedules departures (webhooks on): what the backend is to be told. */
  news?: JoinNews;
}

export interface PresenceStore {
  /**
   * Adds the socket to the room unless it is in `maxRoomsPerSocket` other rooms already; the check
   * and the add are one atomic step, so that joins sent together cannot pass the limit.
   */
  join(room: string, user: User, socketId: string, maxRoomsPerSocket: number): Promise<JoinOutcome>;
  /**
   * Takes the socket out of the room. When the store schedules departures and the user stops being
   * present, in the same step: the member's departure for a `disconnect` (a `leave` is told at
   * once), and the room's when it has no present user left.
   */
  leave(
    room: string,
    userId: string,
    socketId: string,
    reason?: LeaveReason,
  ): Promise<PresenceChange>;
  members(room: string): Promise<User[]>;
  /** How many sockets are in the room, on every node (a user with two tabs there counts two). */
  socketCount(room: string): Promise<number>;
  roomsOf(socketId: string): Promise<string[]>;
  /**
   * Whether both users are present (by any of their sockets, on any node) in at least one common
   * room: what lets one user address another with a custom event.
   */
  sharesRoom(userId: string, otherUserId: string): Promise<boolean>;

  /**
   * The rooms where at least one user is present, by name (ordered by code point), the first
   * `limit` of those after the name `after` (every one when undefined); `more` when others follow.
   */
  presentRooms(after: string | undefined, limit: number): Promise<PresentRoomsPage>;
  /**
   * Tells the other nodes that this one is alive, and says whether this node's presence is still
   * in the store (see HeartbeatOutcome). On one node there is nobody to tell: always 'registered'.
   */
  heartbeat(): Promise<HeartbeatOutcome>;
  /**
   * Removes the presence of the sockets of nodes silent for longer than `timeoutMs`, and returns
   * the users who stopped being present in a room because of it. On one node: nothing.
   */
  reapDeadNodes(timeoutMs: number): Promise<Departure[]>;
}

export interface PresentRoomsPage {
  /** `members`: how many users are present. */
  rooms: { room: string; members: number }[];
  more: boolean;
}

/**
 * - `registered`: this node's presence is in the store, as it left it;
 * - `reaped`: other nodes gave this node up for dead, removed its sockets' presence and told their
 *   rooms (`room:left`): its presence must be registered again, and the rooms told;
 * - `lost`: the store lost every node's presence (Redis restarted without its data) and nobody was
 *   told: its presence must be registered again, silently.
 */
export type HeartbeatOutcome = 'registered' | 'reaped' | 'lost';

export interface Departure {
  room: string;
  user: User;
}

/**
 * Bounds on what is kept for users who do not come back: without them, notifications to made-up
 * user ids would grow the store without end.
 */
export interface PendingNotificationLimits {
  perUser: number;
  total: number;
}

/** When a node offers a user again what they have pending: `at`, in ms since the epoch. */
export interface ScheduledOffer {
  userId: string;
  at: number;
}

/**
 * Unacknowledged notifications, and when each node next offers its users what they have pending.
 * The schedule is per node, for the users whose sockets it holds, so that a notification reaches a
 * connected user whatever happens to the node that accepted it or to that node's broadcast.
 */
export interface PendingNotificationStore {
  /**
   * Keeps the notification for the user until acknowledged; beyond a limit the oldest go first. In
   * the same step, schedules the user's next offer at `offerAgainAt` on every node holding a socket
   * of the user (as the user-sockets store knows them; on one node: this one), whatever it was.
   */
  add(userId: string, notification: Notification, offerAgainAt: number): Promise<void>;
  /** What the user has not acknowledged yet, oldest first. */
  pending(userId: string): Promise<Notification[]>;
  acknowledge(userId: string, notificationId: string): Promise<void>;
  /** Schedules the user's next offer on this node at `at`, whatever it was. */
  scheduleOffer(userId: string, at: number): Promise<void>;
  /**
   * This node's offers due by `now`, soonest first, at most `limit`, for users who still have
   * something pending; the schedules of users who have nothing pending any more are dropped.
   */
  dueOffers(now: number, limit: number): Promise<ScheduledOffer[]>;
  /**
   * Moves the offer to `next`, or drops it when `next` is undefined, unless the user's schedule
   * was changed since the offer was read (a new notification or connection restarted it).
   */
  rescheduleOffer(offer: ScheduledOffer, next: number | undefined): Promise<void>;
  /**
   * Only for a store constructed with `unacknowledgedMs` (webhooks on; else always empty): takes
   * the notifications accepted (`ts`) at least that long before `now`, at most `limit`, oldest
   * first, each exactly once across every node and call, and returns those still unacknowledged.
   */
  claimUnacknowledged(now: number, limit: number): Promise<UnacknowledgedNotification[]>;
}

export interface UnacknowledgedNotification {
  userId: string;
  notification: Notification;
}

export const USER_SOCKETS_STORE = Symbol('USER_SOCKETS_STORE');

export interface SocketAdded {
  /** The user's oldest sockets beyond the limit, oldest first, taken out. */
  replaced: string[];
  /**
   * True when this is the user's first socket and no departure of theirs was pending: the backend
   * hears `user.online`. Always false when the store schedules no departures.
   */
  online: boolean;
}

/**
 * The connected sockets of each user, in the order they connected, on every node: for
 * MAX_SOCKETS_PER_USER, and for the pending-notification store to know which nodes hold a user.
 */
export interface UserSocketsStore {
  /**
   * Registers the socket as the user's newest and, in the same atomic step, takes out the user's
   * oldest sockets beyond `max`: returns their ids, oldest first, for their sessions to be ended.
   * When the store schedules departures, the same step takes back the user's departure.
   */
  add(user: User, socketId: string, max: number): Promise<SocketAdded>;
  /**
   * Forgets the socket. When the store schedules departures and it was the user's last socket,
   * the same step schedules the user's departure.
   */
  remove(user: User, socketId: string): Promise<void>;
  /**
   * Registers a connected socket again where the store lost it (Redis restarted without its data,
   * or did not answer when the socket connected) as the user's newest; a socket that the store
   * kept keeps its place. Takes no socket out. When the store schedules departures, the socket is
   * registered as for `add`, and the user's departure taken back, but nothing is news: the
   * backend heard of the user as if the store had never lost the socket.
   */
  restore(user: User, socketId: string): Promise<void>;
}

export const STORE_CONNECTION = Symbol('STORE_CONNECTION');

/** The stores' link to what holds them: Redis, which may go away and come back. */
export interface StoreConnection {
  /**
   * Calls `listener` each time the stores answer again after their connection was lost (never
   * for the memory stores), so that what could not be done meanwhile is done.
   */
  onReturn(listener: () => void): void;
}

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

/** An answer of the server API as first given, replayed for a repeated idempotency key. */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type IdempotencyClaim =
  /** Nobody held the key: the caller does the work, then completes or releases the claim. */
  | { state: 'claimed' }
  /** Another request with the key is still at work. */
  | { state: 'pending' }
  | { state: 'answered'; answer: StoredAnswer };

/** The answers of the server API's POST routes by idempotency key, shared by every node. */
export interface IdempotencyStore {
  /**
   * Claims the key for `pendingMs` unless it is claimed or answered already, in one atomic step,
   * so that two requests with one key sent together cannot both do the work.
   */
  claim(key: string, pendingMs: number): Promise<IdempotencyClaim>;
  /** Keeps the answer for `keepMs` in place of the claim. */
  complete(key: string, answer: StoredAnswer, keepMs: number): Promise<void>;
  /** Gives the claim up, so that a retry does the work: it failed without an answer to keep. */
  release(key: string): Promise<void>;
}
