import type {
  AcknowledgedDelivery,
  Audience,
  Broadcaster,
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
  'send' | 'sendWithAck' | 'count' | 'addToRoom' | 'removeFromRoom'
> {
  readonly sent: SentEvent[] = [];
  readonly socketRooms = new Map<string, Set<string>>();
  socketsPerAudience = 1;
  acknowledgements = 1;

  send(audience: Audience, event: string, payload: unknown, options?: SendOptions): void {
    this.sent.push({ audience, event, payload, options });
  }

  sendWithAck(audience: Audience, event: string, payload: unknown): Promise<AcknowledgedDelivery> {
    const sent = this.socketsPerAudience;
    if (sent > 0) this.sent.push({ audience, event, payload });
    return Promise.resolve({
      sent,
      acknowledged: Promise.resolve(sent > 0 ? this.acknowledgements : 0),
    });
  }

  count(): Promise<number> {
    return Promise.resolve(this.socketsPerAudience);
  }

  addToRoom(socketId: string, room: string): void {
    const rooms = this.socketRooms.get(socketId) ?? new Set();
    rooms.add(room);
    this.socketRooms.set(socketId, rooms);
  }

  removeFromRoom(socketId: string, room: string): void {
    this.socketRooms.get(socketId)?.delete(room);
  }

  eventsNamed(event: string): SentEvent[] {
    return this.sent.filter((sent) => sent.event === event);
  }
}
