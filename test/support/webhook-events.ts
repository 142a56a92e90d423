import type { WebhookEvent } from '@switchboard/contract';
import type { WebhookReceiver } from './webhook-receiver.js';

/**
 * The accepted events about one room (its presence, members and custom events) or one user (their
 * presence and notifications), in the order the receiver got them.
 */
export function eventsOfRoom(receiver: WebhookReceiver, room: string): WebhookEvent[] {
  return receiver.accepted.filter((event) => 'room' in event.data && event.data.room === room);
}

export function eventsOfUser(receiver: WebhookReceiver, userId: string): WebhookEvent[] {
  return receiver.accepted.filter((event) =>
    event.type === 'notification.unacknowledged'
      ? event.data.userId === userId
      : (event.type === 'user.online' || event.type === 'user.offline') &&
        event.data.user.id === userId,
  );
}

/** Each event as `[type, data]`, to compare sequences in one line. */
export function typesAndData(events: readonly WebhookEvent[]): [string, unknown][] {
  return events.map((event) => [event.type, event.data]);
}

/** Until the receiver has accepted an event matching `predicate`. */
export function untilEvent(
  receiver: WebhookReceiver,
  what: string,
  predicate: (event: WebhookEvent) => boolean,
): Promise<void> {
  return receiver.until((each) => each.accepted.some(predicate), what);
}
