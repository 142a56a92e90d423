import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';
import { userRoom } from '../contract/events.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** Whom a server event goes to. */
export type Audience = { room: string } | { userId: string } | { socketId: string } | { all: true };

export interface SendOptions {
  /** Who in the audience does not get it: the sending socket, or every socket of the sending user. */
  except?: { socketId: string } | { userId: string };
  /** Dropped for a recipient that cannot take it right now, and never replayed on recovery. */
  volatile?: boolean;
}

export interface AcknowledgedDelivery {
  /** Sockets the event was sent to. */
  sent: number;
  /** Whether any of them acknowledged it in time. */
  acknowledged: Promise<boolean>;
}

/**
 * The one place that emits through the Socket.IO server, so that services can say "deliver to
 * user X" or "to room R" without knowing sockets, nodes or adapters.
 */
@Injectable()
export class Broadcaster {
  private server?: Server;

  constructor(private readonly metrics: MetricsService) {}

  attach(server: Server): void {
    this.server = server;
  }

  send(audience: Audience, event: string, payload: unknown, options: SendOptions = {}): void {
    let operator = this.io.to(roomOf(audience));
    if (options.except !== undefined) operator = operator.except(roomOf(options.except));
    if (options.volatile) operator = operator.volatile;
    operator.emit(event, payload);
    this.metrics.eventSent(event);
  }

  /**
   * Sends an event that clients answer with an acknowledgement nobody waits for (so that a
   * client's handler always has a callback to call). Resolves to the number of recipients.
   */
  async sendExpectingAck(
    audience: Audience,
    event: string,
    payload: unknown,
    timeoutMs: number,
  ): Promise<number> {
    const sockets = await this.io.in(roomOf(audience)).fetchSockets();
    for (const socket of sockets) {
      socket.timeout(timeoutMs).emit(event, payload, ignoreAcknowledgement);
      this.metrics.eventSent(event);
    }
    return sockets.length;
  }

  /**
   * Sends to each socket of the audience on its own, so that the first socket to acknowledge
   * settles the delivery without waiting for the slowest one. Resolves once sent; `acknowledged`
   * then resolves to true at the first acknowledgement, or to false when every socket has refused
   * or let `timeoutMs` pass.
   */
  async sendToEachWithAck(
    audience: Audience,
    event: string,
    payload: unknown,
    timeoutMs: number,
  ): Promise<AcknowledgedDelivery> {
    const sockets = await this.io.in(roomOf(audience)).fetchSockets();
    const answers = sockets.map((socket) => {
      this.metrics.eventSent(event);
      // Emitted per socket rather than as one broadcast: a broadcast's pending acknowledgement stays
      // on each socket until that client answers, while a socket's own timeout also clears it.
      return socket
        .timeout(timeoutMs)
        .emitWithAck(event, payload)
        .then(isAcknowledgement, () => false);
    });
    return { sent: sockets.length, acknowledged: firstTrue(answers) };
  }

  addToRoom(socketId: string, room: string): void {
    this.io.in(socketId).socketsJoin(CHAT_ROOM_PREFIX + room);
  }

  removeFromRoom(socketId: string, room: string): void {
    this.io.in(socketId).socketsLeave(CHAT_ROOM_PREFIX + room);
  }

  /** The chat rooms a socket of this node is in (after a recovery: those Socket.IO restored). */
  chatRoomsOf(socketId: string): string[] {
    const rooms = this.io.sockets.sockets.get(socketId)?.rooms ?? [];
    return [...rooms]
      .filter((room) => room.startsWith(CHAT_ROOM_PREFIX))
      .map((room) => room.slice(CHAT_ROOM_PREFIX.length));
  }

  /** Closes every connection without a "server disconnect", so that clients reconnect by themselves. */
  dropAllConnections(): void {
    for (const socket of this.io.sockets.sockets.values()) socket.conn.close();
  }

  private get io(): Server {
    if (!this.server) throw new Error('the Socket.IO server is not attached yet');
    return this.server;
  }
}

/**
 * Chat rooms live under their own prefix in Socket.IO's room namespace, which also holds every
 * socket's id and every user's room: a chat room named like a socket id must not reach that socket.
 */
const CHAT_ROOM_PREFIX = 'room:';

/** An empty room list is Socket.IO's "everyone". */
function roomOf(audience: Audience): string | string[] {
  if ('room' in audience) return CHAT_ROOM_PREFIX + audience.room;
  if ('userId' in audience) return userRoom(audience.userId);
  if ('socketId' in audience) return audience.socketId;
  return [];
}

/** A client acknowledges with no argument or `{ ok: true }`; `{ ok: false }` is a refusal. */
function isAcknowledgement(response: unknown): boolean {
  return !(
    typeof response === 'object' &&
    response !== null &&
    (response as { ok?: unknown }).ok === false
  );
}

function ignoreAcknowledgement(): void {}

function firstTrue(answers: Promise<boolean>[]): Promise<boolean> {
  return new Promise((resolve) => {
    let unanswered = answers.length;
    if (unanswered === 0) resolve(false);
    for (const answer of answers) {
      void answer.then((yes) => {
        unanswered -= 1;
        if (yes || unanswered === 0) resolve(yes);
      });
    }
  });
}
