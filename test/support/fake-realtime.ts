import type { AcknowledgedDelivery, Delivery, SendOptions } from '../../src/realtime/delivery.js';
import type {
  LocalMembership,
  LocalSocket,
  LocalSockets,
} from '../../src/realtime/local-sockets.js';
import type { Audience } from '../../src/realtime/socket-server.js';

export interface SentEvent {
  audience: Audience;
  event: string;
  payload: unknown;
  options?: SendOptions;
}

/**
 * Stands in for delivery in service tests: records what was sent and lets a test say how many
 * sockets an audience has and how many acknowledge.
 */
export class FakeDelivery implements Pick<
  Delivery,
  'send' | 'sendExpectingAck' | 'sendToEachWithAck' | 'sendHereWithAck'
> {
  readonly sent: SentEvent[] = [];
  socketsPerAudience = 1;
  acknowledges = true;

  send(audience: Audience, event: string, payload: unknown, options?: SendOptions): void {
    this.sent.push({ audience, event, payload, options });
  }

  sendExpectingAck(audience: Audience, event: string, payload: unknown): Promise<number> {
    if (this.socketsPerAudience > 0) this.sent.push({ audience, event, payload });
    return Promise.resolve(this.socketsPerAudience);
  }

  sendToEachWithAck(
    audience: Audience,
    event: string,
    payload: unknown,
  ): Promise<AcknowledgedDelivery> {
    const sent = this.socketsPerAudience;
    if (sent > 0) this.sent.push({ audience, event, payload });
    return Promise.resolve({ sent, acknowledged: Promise.resolve(sent > 0 && this.acknowledges) });
  }

  /** As if the socket were there: each socket acknowledges as `acknowledges` says. */
  sendHereWithAck(socketId: string, event: string, payload: unknown): AcknowledgedDelivery {
    this.sent.push({ audience: { socketId }, event, payload });
    return { sent: 1, acknowledged: Promise.resolve(this.acknowledges) };
  }

  eventsNamed(event: string): SentEvent[] {
    return this.sent.filter((sent) => sent.event === event);
  }
}

/** Stands in for this node's sockets and their rooms in service tests, as a test sets them. */
export class FakeLocalSockets implements Pick<
  LocalSockets,
  'socketsHere' | 'socketsHereOf' | 'addToRoom' | 'removeFromRoom' | 'isInRoom' | 'localMemberships'
> {
  /** The sockets this node holds, as a test sets them. */
  memberships: LocalMembership[] = [];
  /** The sockets this node holds with their users and connection times, as a test sets them. */
  sockets: LocalSocket[] = [];
  readonly socketRooms = new Map<string, Set<string>>();
  /** Rooms whose subscription Redis refuses, as a test sets them: the socket is in, the join rejects. */
  readonly refusing = new Set<string>();

  socketsHere(): LocalSocket[] {
    return this.sockets;
  }

  socketsHereOf(userId: string): LocalSocket[] {
    return this.sockets.filter((socket) => socket.userId === userId);
  }

  addToRoom(socketId: string, room: string): Promise<void> | void {
    const rooms = this.socketRooms.get(socketId) ?? new Set();
    rooms.add(room);
    this.socketRooms.set(socketId, rooms);
    if (this.refusing.has(room)) return Promise.reject(new Error('Connection is closed.'));
  }

  removeFromRoom(socketId: string, room: string): void {
    this.socketRooms.get(socketId)?.delete(room);
  }

  isInRoom(socketId: string, room: string): boolean {
    return this.socketRooms.get(socketId)?.has(room) ?? false;
  }

  localMemberships(): LocalMembership[] {
    return this.memberships;
  }
}
