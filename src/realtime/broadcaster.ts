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
  /** Sockets that acknowledged it in time. */
  acknowledged: Promise<number>;
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
   * Sends an event that recipients acknowledge. Resolves once it is sent, with the number of
   * recipients; `acknowledged` then resolves, within `timeoutMs`, to how many acknowledged it.
   */
  async sendWithAck(
    audience: Audience,
    event: string,
    payload: unknown,
    timeoutMs: number,
  ): Promise<AcknowledgedDelivery> {
    const target = this.io.to(roomOf(audience));
    const sent = (await target.fetchSockets()).length;
    if (sent === 0) return { sent, acknowledged: Promise.resolve(0) };
    this.metrics.eventSent(event);
    const acknowledged = new Promise<number>((resolve) => {
      target
        .timeout(timeoutMs)
        .emit(event, payload, (_timedOut: Error | null, responses: unknown[]) => {
          resolve(responses.filter(isAcknowledgement).length);
        });
    });
    return { sent, acknowledged };
  }

  async count(audience: Audience): Promise<number> {
    return (await this.io.in(roomOf(audience)).fetchSockets()).length;
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
