import type { ServerEventName } from '../socket-events.js';
import { object, ref, room, timestamp, customEventName, type JsonSchema } from './schemas.js';

/** A server→client event: its payload, and the acknowledgement the client answers with, if any. */
export interface ServerEventDescription {
  summary: string;
  payload: JsonSchema;
  ack?: JsonSchema;
}

/** A `Record` over the contract's event names: an event without an entry does not build. */
export const serverEvents: Record<ServerEventName, ServerEventDescription> = {
  welcome: {
    summary: 'Once, right after every connection.',
    payload: object({
      socketId: { type: 'string' },
      user: ref('User'),
      recovered: {
        type: 'boolean',
        description: "true when Socket.IO's recovery restored the session",
      },
      serverTime: timestamp,
    }),
  },
  'session:expiring': {
    summary: "60 seconds before the token's exp: answer with session:refresh.",
    payload: object({ expiresAt: timestamp }),
  },
  'session:ended': {
    summary: 'Just before the server disconnects the socket on purpose.',
    payload: object({ reason: ref('SessionEndReason'), message: { type: 'string' } }),
  },
  'room:joined': {
    summary: 'A user became present in the room.',
    payload: object({ room, user: ref('User') }),
  },
  'room:left': {
    summary: 'A user stopped being present in the room.',
    payload: object({ room, user: ref('User'), reason: ref('LeaveReason') }),
  },
  'chat:message': {
    summary: 'A stored message, to every socket of the room but the sending one.',
    payload: ref('Message'),
  },
  'chat:typing': {
    summary: 'Someone else in the room is typing or stopped (volatile).',
    payload: object({ room, user: ref('User'), typing: { type: 'boolean' } }),
  },
  notification: {
    summary: 'A notification; at-least-once for a user until a socket acknowledges it.',
    payload: ref('Notification'),
    ack: {
      description: 'no argument, or { ok: true }',
      oneOf: [{ type: 'null' }, object({ ok: { const: true } })],
    },
  },
  'room:event': {
    summary: 'A custom event relayed from a member of the room (or another backend).',
    payload: object({ room, event: customEventName, data: {}, user: ref('User'), ts: timestamp }),
  },
  'user:event': {
    summary: 'A custom event relayed to this user.',
    payload: object({ event: customEventName, data: {}, from: ref('User'), ts: timestamp }),
  },
  error: {
    summary: 'The failure of an event sent without a callback, or of an unknown event.',
    payload: object(
      {
        event: { type: 'string' },
        code: ref('ErrorCode'),
        message: { type: 'string' },
        details: {},
      },
      ['details'],
    ),
  },
};
