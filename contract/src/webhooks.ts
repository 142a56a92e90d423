import type { LeaveReason, Message, Notification, User } from './types.js';

/**
 * What the application's backend hears (docs/protocol.md, Webhooks): the body of every delivery is
 * `{ events: WebhookEvent[] }`. Types only, for receivers written in TypeScript too.
 */
export const WEBHOOK_EVENT_TYPES = [
  'user.online',
  'user.offline',
  'room.occupied',
  'room.vacated',
  'member.joined',
  'member.left',
  'message.created',
  'room.event',
  'notification.unacknowledged',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The `data` of each event type. */
export interface WebhookEventData {
  'user.online': { user: User };
  /** `lastSeen`: when the user's last socket went, in ms since the epoch. */
  'user.offline': { user: User; lastSeen: number };
  'room.occupied': { room: string };
  'room.vacated': { room: string };
  'member.joined': { room: string; user: User };
  'member.left': { room: string; user: User; reason: LeaveReason };
  'message.created': { message: Message };
  /** Binary values travel as `{ "$binary": "<standard base64>" }`. */
  'room.event': { room: string; event: string; data: unknown; user: User; ts: number };
  'notification.unacknowledged': { userId: string; notification: Notification };
}

/** One event: `id` unique per event (a receiver drops a repeat), `ts` in ms since the epoch. */
export type WebhookEvent = {
  [T in WebhookEventType]: { id: string; type: T; ts: number; data: WebhookEventData[T] };
}[WebhookEventType];

export interface WebhookDelivery {
  events: WebhookEvent[];
}
