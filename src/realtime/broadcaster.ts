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
   * Broadcasts an event that clients answer with an acknowledgement nobody waits for (so that a
   * client's handler always has a callback to call). Resolves to the number of recipients.
   */
  async sendExpectingAck(
    audience: Audience,
    event: string,
    payload: unknown,
    timeoutMs: number,
  ): Promise<number> {
    const target = this.io.to(roomOf(audience));
    const recipients = (await target.fetchSockets()).length;
    if (recipients === 0) return 0;
    target.timeout(timeoutMs).emit(event, payload, ignoreAcknowledgements);
    this.metrics.eventSent(event);
    return recipients;
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
    const answers = sockets.map((socket) =>
      this.io
        .to(socket.id)
        .timeout(timeoutMs)
        .emitWithAck(event, payload)
        .then(
          (responses: unknown[]) => responses.some(isAcknowledgement),
          () => false,
        ),
    );
    for (let i = 0; i < sockets.length; i += 1) this.metrics.eventSent(event);
    return { sent: sockets.length, acknowledged: firstTrue(answers) };
  }

  addToRoom(socketId: string, room: string): void {
    this.io.in(socketId).socketsJoin(room);
  }

  removeFromRoom(socketId: string, room: string): void {
    this.io.in(socketId).socketsLeave(room);
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

/** An empty room list is Socket.IO's "everyone". */
function roomOf(audience: Audience): string | string[] {
  if ('room' in audience) return audience.room;
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

function ignoreAcknowledgements(): void {}

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
