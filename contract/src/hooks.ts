import type { ErrorCode, User } from './types.js';

/**
 * What the application's backend is asked and may answer (docs/protocol.md, Hooks). Each request
 * is a signed `POST` with one of these bodies. Types only, for receivers written in TypeScript too.
 */

/** `HOOK_CONNECT_URL`: a handshake without a token. */
export interface ConnectHookRequest {
  /** The handshake's `auth` object as the client sent it (`{}` when none). */
  auth: Record<string, unknown>;
  /** Only the headers named in HOOK_CONNECT_HEADERS, lower case. */
  headers: Record<string, string>;
  ip: string;
  transport: 'polling' | 'websocket';
}

/** A `200` answer of the connect hook: a user (as a token would say), or a guest. */
export type ConnectHookAnswer =
  { user: User; roles?: string[]; rooms?: string[]; expiresAt?: number } | { guest: true };

/** `HOOK_JOIN_URL`: a join of a room needing a grant that the socket does not hold. */
export interface JoinHookRequest {
  user: User;
  room: string;
  socketId: string;
}

export type JoinHookAnswer = { allow: true } | { allow: false; message?: string };

/** `HOOK_PUBLISH_URL`: before a message is stored (`message`) or a custom event relayed (`event`). */
export interface PublishHookRequest {
  user: User;
  room: string;
  kind: 'message' | 'event';
  text?: string;
  clientMsgId?: string;
  event?: string;
  /** Binary values as `{ "$binary": "<standard base64>" }`. */
  data?: unknown;
}

/** The codes that a publish hook may refuse with. */
export const PUBLISH_REFUSAL_CODES = ['FORBIDDEN', 'VALIDATION_FAILED'] as const;

export type PublishHookAnswer =
  | { allow: true; text?: string; data?: unknown }
  | { allow: false; code?: (typeof PUBLISH_REFUSAL_CODES)[number]; message?: string };

/** `HOOK_RPC_URL`: the client event `rpc`. */
export interface RpcHookRequest {
  user: User;
  socketId: string;
  method: string;
  data: unknown;
}

/** The codes that an RPC's `4xx` answer may carry. */
export const RPC_ERROR_CODES = ['VALIDATION_FAILED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'] as const;

/** `200 { data }`, or a `4xx` with one of RPC_ERROR_CODES. */
export type RpcHookAnswer =
  | { data?: unknown }
  | {
      code: Extract<ErrorCode, (typeof RPC_ERROR_CODES)[number]>;
      message: string;
      /** A list of `{ field, problems }` with VALIDATION_FAILED. */
      details?: unknown;
    };
