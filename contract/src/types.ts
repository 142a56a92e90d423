/**
 * The shapes of docs/protocol.md, shared by the gateways, the services, the tests and the AsyncAPI
 * document. Types only: a client library imports this file without pulling in server code.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNKNOWN_EVENT'
  | 'INTERNAL'
  | 'UNAVAILABLE';

export interface FieldProblems {
  field: string;
  problems: string[];
}

export interface Failure {
  ok: false;
  error: { code: ErrorCode; message: string; details?: unknown };
}

export type Reply<T> = { ok: true; data: T } | Failure;

export interface User {
  id: string;
  name: string;
}

/** The user behind a socket or an HTTP call, with what they may do. */
export interface Identity extends User {
  roles: readonly string[];
  /** A token's private-room grants (its `rooms` claim): exact names, or prefixes ending in `*`. */
  rooms?: readonly string[];
  /** When the socket's token expires (its `exp`, in milliseconds); never for guests. */
  expiresAt?: number;
}

export interface Message {
  id: string;
  room: string;
  offset: number;
  user: User;
  text: string;
  ts: number;
  clientMsgId?: string;
}

export interface Notification {
  id: string;
  title: string;
  body: string;
  data?: object;
  ts: number;
  from: User;
}

export type Target = { userId: string } | { room: string } | { all: true };

/** `session:ping`'s reply. */
export interface SessionPong {
  serverTime: number;
}

export interface SessionRefresh {
  token: string;
}

/** `room:leave` and `room:members`. */
export interface RoomRef {
  room: string;
}

export interface JoinRoom extends RoomRef {
  after?: number;
  /** A room token: the application's backend lets this user into this private room. */
  token?: string;
}

export interface JoinResult {
  room: string;
  members: User[];
  lastOffset: number;
  missed: Message[];
  hasMore: boolean;
}

export interface RoomMembers {
  room: string;
  members: User[];
}

export interface RoomJoined {
  room: string;
  user: User;
}

export type LeaveReason = 'leave' | 'disconnect';

export interface RoomLeft {
  room: string;
  user: User;
  reason: LeaveReason;
}

export interface SendMessage {
  room: string;
  text: string;
  clientMsgId?: string;
}

export interface Typing {
  room: string;
  typing: boolean;
}

/** `chat:typing` as the others in the room get it. */
export interface TypingEvent extends Typing {
  user: User;
}

export interface HistoryQuery {
  room: string;
  after?: number;
  before?: number;
  limit?: number;
}

export interface SendNotification {
  target: Target;
  title: string;
  body: string;
  data?: object;
}

export interface NotificationSent {
  id: string;
  recipients: number;
}

/**
 * What a client's `notification` handler answers: nothing, or `{ ok: true }` (`void`, so that the
 * callback may be called without an argument).
 */
export type NotificationAck = { ok: true } | void;

export interface MessagePage {
  messages: Message[];
  hasMore: boolean;
}

export interface Welcome {
  socketId: string;
  user: User;
  recovered: boolean;
  serverTime: number;
}

export interface ErrorEvent {
  event: string;
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** Why the server ended a session on purpose (`session:ended`). */
export type SessionEndReason = 'token_expired' | 'rate_limited' | 'kicked' | 'replaced';

export interface SessionEnded {
  reason: SessionEndReason;
  message: string;
}

export interface SessionExpiring {
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** The reply to `session:refresh`: when the new token expires; null for a token without `exp`. */
export interface SessionRefreshed {
  expiresAt: number | null;
}

/** `room:emit`: a custom event to the other sockets of a room. `data` is any JSON, binary inside. */
export interface RoomEmit {
  room: string;
  event: string;
  data?: unknown;
}

/** `user:emit`: a custom event to every socket of a user. */
export interface UserEmit {
  userId: string;
  event: string;
  data?: unknown;
}

/** `rpc`: a request answered by the application's backend (HOOK_RPC_URL) with any JSON. */
export interface RpcCall {
  method: string;
  data?: unknown;
}

/** The reply to `room:emit` and `user:emit`: how many sockets, on every node, it was sent to. */
export interface Relayed {
  recipients: number;
}

/** `room:event`: `data` is `null` when the sender gave none, so that the field is always there. */
export interface RoomEvent {
  room: string;
  event: string;
  data: unknown;
  user: User;
  ts: number;
}

export interface UserEvent {
  event: string;
  data: unknown;
  from: User;
  ts: number;
}
