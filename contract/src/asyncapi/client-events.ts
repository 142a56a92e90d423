import { HISTORY_PAGE_MAX, MESSAGE_TEXT_MAX } from '../limits.js';
import type { ClientEventName } from '../socket-events.js';
import {
  count,
  customEventName,
  object,
  ref,
  room,
  timestamp,
  type JsonSchema,
} from './schemas.js';

/** A client→server event: what the client sends and what the server's acknowledgement carries. */
export interface ClientEventDescription {
  summary: string;
  /** Absent for an event sent with the callback alone. */
  payload?: JsonSchema;
  /** The `data` of a successful `Reply`. */
  replyData: JsonSchema;
}

const members: JsonSchema = { type: 'array', items: ref('User') };
const offsetAfter: JsonSchema = { type: 'integer', minimum: 0 };
const token: JsonSchema = { type: 'string', minLength: 1 };

/** A `Record` over the contract's event names: an event without an entry does not build. */
export const clientEvents: Record<ClientEventName, ClientEventDescription> = {
  'session:ping': {
    summary: 'Application-level latency check.',
    replyData: object({ serverTime: timestamp }),
  },
  'session:refresh': {
    summary: 'A new token for the same user, before session:expiring runs out.',
    payload: object({ token }),
    replyData: object({ expiresAt: { type: ['integer', 'null'] } }),
  },
  'room:join': {
    summary: 'Joins a room; with `after`, also returns the messages missed since that offset.',
    payload: object({ room, after: offsetAfter, token }, ['after', 'token']),
    replyData: object({
      room,
      members,
      lastOffset: count,
      missed: { type: 'array', items: ref('Message'), maxItems: 100 },
      hasMore: { type: 'boolean' },
    }),
  },
  'room:leave': {
    summary: 'Leaves a room (NOT_FOUND when the socket is not in it).',
    payload: object({ room }),
    replyData: object({ room }),
  },
  'room:members': {
    summary: "The room's present users (FORBIDDEN when the socket is not in it).",
    payload: object({ room }),
    replyData: object({ room, members }),
  },
  'chat:send': {
    summary:
      'Stores a message and sends it to the room as chat:message; clientMsgId makes retries safe.',
    payload: object(
      {
        room,
        text: { type: 'string', minLength: 1, maxLength: MESSAGE_TEXT_MAX },
        clientMsgId: { type: 'string', minLength: 1, maxLength: 64 },
      },
      ['clientMsgId'],
    ),
    replyData: ref('Message'),
  },
  'chat:typing': {
    summary: 'Tells the others in the room (volatile chat:typing).',
    payload: object({ room, typing: { type: 'boolean' } }),
    replyData: { type: 'object', additionalProperties: false },
  },
  'chat:history': {
    summary: "A page of the room's stored messages, oldest first.",
    payload: object(
      {
        room,
        after: offsetAfter,
        before: { type: 'integer', minimum: 1 },
        limit: { type: 'integer', minimum: 1, maximum: HISTORY_PAGE_MAX },
      },
      ['after', 'before', 'limit'],
    ),
    replyData: ref('MessagePage'),
  },
  'notification:send': {
    summary:
      'A notification to a user present with the sender in a common room (any user for an admin), a room, or everyone (admin).',
    payload: object(
      {
        target: ref('Target'),
        title: { type: 'string', minLength: 1, maxLength: 200 },
        body: { type: 'string', minLength: 1, maxLength: 2000 },
        data: { type: 'object' },
      },
      ['data'],
    ),
    replyData: object({ id: { type: 'string' }, recipients: count }),
  },
  'room:emit': {
    summary: "A custom event to the room's other sockets, as room:event.",
    payload: object({ room, event: customEventName, data: {} }, ['data']),
    replyData: ref('Relayed'),
  },
  'user:emit': {
    summary: 'A custom event to every socket of a user, as user:event.',
    payload: object(
      { userId: { type: 'string', minLength: 1 }, event: customEventName, data: {} },
      ['data'],
    ),
    replyData: ref('Relayed'),
  },
  rpc: {
    summary:
      "A request answered by the application's backend (HOOK_RPC_URL): the reply's data is the backend's data, null when it gave none (NOT_FOUND when no backend is set, UNAVAILABLE when it does not answer).",
    payload: object({ method: customEventName, data: {} }, ['data']),
    replyData: {},
  },
};
