import { EVENT_NAME, ROOM_NAME } from '../names.js';
import {
  CLIENT_MSG_ID_MAX,
  MESSAGE_TEXT_MAX,
  NOTIFICATION_BODY_MAX,
  NOTIFICATION_TITLE_MAX,
  USER_ID_MAX,
} from '../limits.js';
import type { ErrorCode, LeaveReason, SessionEndReason } from '../types.js';

/** A payload schema in AsyncAPI's default format, a superset of JSON Schema draft 7. */
export type JsonSchema = Record<string, unknown>;

/** Every error code once: the `satisfies` check fails the build when the union and this list differ. */
const ERROR_CODES = {
  VALIDATION_FAILED: 'a field is missing or out of its limits; details lists them',
  UNAUTHORIZED: 'the credentials are missing, expired or badly signed',
  FORBIDDEN: 'the socket or its user may not do this',
  NOT_FOUND: 'what the event names does not exist',
  CONFLICT: 'a clientMsgId was already used for another text',
  RATE_LIMITED:
    'the socket sends faster than RATE_LIMIT_PER_SEC, or a message to a room without a history passes HISTORY_MAX_ROOMS or ROOMS_NEW_PER_HOUR',
  PAYLOAD_TOO_LARGE: 'a custom event is over RELAY_MAX_BYTES',
  UNKNOWN_EVENT: 'the server does not know the event',
  INTERNAL: 'the server failed; the event may be retried',
  UNAVAILABLE: 'a dependency could not confirm the request in time; a retry later is safe',
} satisfies Record<ErrorCode, string>;

const SESSION_END_REASONS: Record<SessionEndReason, true> = {
  token_expired: true,
  rate_limited: true,
  kicked: true,
  replaced: true,
};
const LEAVE_REASONS: Record<LeaveReason, true> = { leave: true, disconnect: true };

/** A reference to one of `schemas` (the parser checks that it resolves). */
export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

export function object(
  properties: Record<string, JsonSchema>,
  optional: readonly string[] = [],
): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
  };
}

/** Milliseconds since the epoch, as every time of the contract. */
export const timestamp: JsonSchema = { type: 'integer', minimum: 0 };
export const room: JsonSchema = { type: 'string', pattern: ROOM_NAME.source };
export const customEventName: JsonSchema = { type: 'string', pattern: EVENT_NAME.source };
export const count: JsonSchema = { type: 'integer', minimum: 0 };

/** The acknowledgement of a client event: `Reply<T>` with the given `data`. */
export function reply(data: JsonSchema): JsonSchema {
  return {
    oneOf: [object({ ok: { const: true }, data }), ref('Failure')],
  };
}

export const schemas = {
  ErrorCode: {
    type: 'string',
    enum: Object.keys(ERROR_CODES),
    description: Object.entries(ERROR_CODES)
      .map(([code, meaning]) => `${code}: ${meaning}`)
      .join('; '),
  },
  FieldProblems: object({
    field: { type: 'string' },
    problems: { type: 'array', items: { type: 'string' } },
  }),
  Failure: object({
    ok: { const: false },
    error: object(
      {
        code: ref('ErrorCode'),
        message: { type: 'string' },
        details: {
          description: 'for VALIDATION_FAILED, a list of FieldProblems',
        },
      },
      ['details'],
    ),
  }),
  User: object({ id: { type: 'string' }, name: { type: 'string' } }),
  Message: object(
    {
      id: { type: 'string' },
      room,
      offset: {
        type: 'integer',
        minimum: 1,
        description: 'per room, from 1, one more for each stored message',
      },
      user: ref('User'),
      text: { type: 'string', minLength: 1, maxLength: MESSAGE_TEXT_MAX },
      ts: timestamp,
      clientMsgId: { type: 'string', minLength: 1, maxLength: CLIENT_MSG_ID_MAX },
    },
    ['clientMsgId'],
  ),
  MessagePage: object({
    messages: { type: 'array', items: ref('Message') },
    hasMore: { type: 'boolean' },
  }),
  Target: {
    oneOf: [
      object({ userId: { type: 'string', minLength: 1, maxLength: USER_ID_MAX } }),
      object({ room }),
      object({ all: { const: true } }),
    ],
  },
  Notification: object(
    {
      id: { type: 'string' },
      title: { type: 'string', minLength: 1, maxLength: NOTIFICATION_TITLE_MAX },
      body: { type: 'string', minLength: 1, maxLength: NOTIFICATION_BODY_MAX },
      data: { type: 'object' },
      ts: timestamp,
      from: {
        allOf: [ref('User')],
        description: 'the sender, or { id: "system" } for another backend',
      },
    },
    ['data'],
  ),
  SessionEndReason: { type: 'string', enum: Object.keys(SESSION_END_REASONS) },
  LeaveReason: { type: 'string', enum: Object.keys(LEAVE_REASONS) },
  Relayed: object({ recipients: count }),
} satisfies Record<string, JsonSchema>;
