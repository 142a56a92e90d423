import type { WebhookSettings } from '../config/webhook-settings.js';
import type { User, WebhookEventType } from '@switchboard/contract';

/**
 * Presence as the application's backend hears it (docs/webhooks.md, "Presence events"): a user,
 * a room or a room's member that stops being present is not reported at once but scheduled as a
 * departure, due `delayMs` later; an arrival within the delay takes its departure back in the
 * same atomic step as the presence change, and is not reported either. The stores keep the
 * schedule beside presence only when constructed with these options (webhooks on): otherwise
 * nothing of it is written or read.
 */
export interface DepartureOptions {
  /** WEBHOOK_PRESENCE_DELAY_MS. */
  delayMs: number;
}

export const DEPARTURE_SCHEDULE = Symbol('DEPARTURE_SCHEDULE');

/** A departure whose delay passed while its subject stayed absent: what the backend is told. */
export type DueDeparture =
  /** The user's last socket anywhere went at `lastSeen` (ms since the epoch). */
  | { kind: 'user'; user: User; lastSeen: number }
  /** The user stopped being present in the room by a disconnection (a leave is told at once). */
  | { kind: 'member'; room: string; user: User }
  /** The room lost its last present user. */
  | { kind: 'room'; room: string };

/** What a join means for the backend (only with departures scheduled; see DepartureOptions). */
export interface JoinNews {
  /** The room had no present user, and none left it within the delay. */
  roomOccupied: boolean;
  /** The user became present, and had not stopped being present there within the delay. */
  memberJoined: boolean;
}

/** The departures that the presence and user-sockets stores schedule, shared by every node. */
export interface DepartureSchedule {
  /**
   * Takes the departures due by `now` (at most `limit`, soonest first; of one room, a member's
   * before the room's), each exactly once across every node and call, and returns those whose
   * subject is still absent. With Redis, first takes out the sockets of nodes that died without a
   * goodbye from their users (as the presence keeper does for rooms), scheduling the departure
   * of users who had no other socket.
   */
  claimDue(now: number, limit: number): Promise<DueDeparture[]>;
}

/**
 * How a departure is named in a schedule. A member's sorts before any room's, so that of the
 * departures due at one time (those of one leave), a room's members come out before the room.
 */
export const departureSubject = {
  user: (userId: string) => `u:${userId}`,
  // Room names hold no space (contract/names.ts): the first space ends the room.
  member: (room: string, userId: string) => `m:${room} ${userId}`,
  room: (room: string) => `r:${room}`,
};

/** The presence events of a user, which the user-sockets store's departures serve. */
export const USER_PRESENCE_EVENTS = ['user.online', 'user.offline'] as const;
/** The presence events of rooms, which the presence store's departures serve. */
export const ROOM_PRESENCE_EVENTS = [
  'room.occupied',
  'room.vacated',
  'member.joined',
  'member.left',
] as const;

/** Which stores schedule departures: only those whose events webhooks send (none when off). */
export interface DepartureWiring {
  userSockets?: DepartureOptions;
  presence?: DepartureOptions;
}

export function departureWiringOf(webhooks: WebhookSettings | undefined): DepartureWiring {
  if (webhooks === undefined) return {};
  const options = { delayMs: webhooks.presenceDelayMs };
  const wanted = (types: readonly WebhookEventType[]) =>
    types.some((type) => webhooks.events.has(type)) ? options : undefined;
  return { userSockets: wanted(USER_PRESENCE_EVENTS), presence: wanted(ROOM_PRESENCE_EVENTS) };
}

/**
 * How long a user notification may stay unacknowledged before the backend hears of it; undefined
 * while notification.unacknowledged is not sent, and the stores then schedule nothing for it.
 */
export function unacknowledgedMsOf(webhooks: WebhookSettings | undefined): number | undefined {
  return webhooks?.events.has('notification.unacknowledged')
    ? webhooks.unacknowledgedMs
    : undefined;
}
