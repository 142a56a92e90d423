import type {
  AcknowledgedDelivery,
  Audience,
  Broadcaster,
  LocalMembership,
  LocalSocket,
  SendOptions,
} from '../../src/realtime/broadcaster.js';

export interface SentEvent {
  audience: Audience;
  event: string;
  payload: unknown;
  options?: SendOptions;
}

/**
 * Stands in for the Socket.IO server in service tests: records what was sent and lets a test
 * say how many sockets an audience has and how many acknowledge.
 */
export class FakeBroadcaster implements Pick<
  Broadcaster,
  | 'send'
  | 'sendExpectingAck'
  | 'sendToEachWithAck'
  | 'sendHereWithAck'
  | 'socketsHere'
  | 'socketsHereOf'
  | 'addToRoom'
  | 'removeFromRoom'
  | 'isInRoom'
  | 'localMemberships'
> {
  readonly sent: SentEvent[] = [];
  /** The sockets this node holds, as a test sets them. */
  memberships: LocalMembership[] = [];
  /** The sockets this node holds with their users and connection times, as a test sets them. */
  localSockets: LocalSocket[] = [];
  readonly socketRooms = new Map<string, Set<string>>();
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

  socketsHere(): LocalSocket[] {
    return this.localSockets;
  }

  socketsHereOf(userId: string): LocalSocket[] {
    return this.localSockets.filter((socket) => socket.userId === userId);
  }

  addToRoom(socketId: string, room: string): void {
    const rooms = this.socketRooms.get(socketId) ?? new Set();
    rooms.add(room);
    this.socketRooms.set(socketId, rooms);
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

  eventsNamed(event: string): SentEvent[] {
    return this.sent.filter((sent) => sent.event === event);
  }
}
