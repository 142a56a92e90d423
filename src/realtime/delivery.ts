import { Injectable } from '@nestjs/common';
import type { RemoteSocket } from 'socket.io';
import type { ClientSocket, SocketData } from '../common/client-socket.js';
import type {
  AcknowledgedServerEventName,
  ServerEventName,
  ServerPayload,
  ServerToClientEvents,
} from '@switchboard/contract';
import { MetricsService } from '../metrics/metrics.service.js';
import type { MessageBroadcast } from '../storage/stores.js';
import { type Audience, FETCH_SOCKETS_TIMEOUT_MS, SocketServer, roomOf } from './socket-server.js';

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
 * The services' way to deliver events: they say "to user X" or "to room R" without knowing
 * sockets, nodes or adapters.
 */
@Injectable()
export class Delivery {
  constructor(
    private readonly socketServer: SocketServer,
    private readonly metrics: MetricsService,
  ) {}

  send<E extends ServerEventName>(
    audience: Audience,
    event: E,
    payload: ServerPayload<E>,
    options: SendOptions = {},
  ): void {
    let operator = this.operatorOf(audience, options);
    if (options.volatile) operator = operator.volatile;
    // A generic event's arguments are a type TypeScript cannot spread without this assertion;
    // `send`'s own signature is what checks the payload against the event.
    operator.emit(event, ...([payload] as Parameters<ServerToClientEvents[E]>));
    this.metrics.eventSent(event);
  }

  /**
   * Sends as `send` does (one broadcast, binary values as attachments) and resolves to the number
   * of sockets of the audience, on every node, at the time of sending. The broadcast does not wait
   * for the count, which asks every node; a count that times out rejects, the event being sent.
   */
  async sendCounted<E extends ServerEventName>(
    audience: Audience,
    event: E,
    payload: ServerPayload<E>,
    options: Pick<SendOptions, 'except'> = {},
  ): Promise<number> {
    const counted = this.operatorOf(audience, options)
      .timeout(FETCH_SOCKETS_TIMEOUT_MS)
      .fetchSockets();
    this.send(audience, event, payload, options);
    return (await counted).length;
  }

  private operatorOf(audience: Audience, options: SendOptions) {
    const operator = this.io.to(roomOf(audience));
    return options.except === undefined ? operator : operator.except(roomOf(options.except));
  }

  /**
   * Whom a stored message's broadcast goes to, in Socket.IO's room names, for a store that
   * publishes it itself (see `HistoryStore.announcesAppends`).
   */
  broadcastOf(
    audience: Audience,
    event: ServerEventName,
    options: SendOptions = {},
  ): MessageBroadcast {
    const rooms = roomOf(audience);
    return {
      event,
      rooms: typeof rooms === 'string' ? [rooms] : rooms,
      except: options.except === undefined ? [] : [roomOf(options.except)],
    };
  }

  /** Counts an event that a store published on delivery's behalf. */
  countSent(event: ServerEventName): void {
    this.metrics.eventSent(event);
  }

  /**
   * Sends an event that clients answer with an acknowledgement nobody waits for (so that a
   * client's handler always has a callback to call). Resolves to the number of recipients.
   */
  async sendExpectingAck(
    audience: Audience,
    event: AcknowledgedServerEventName,
    payload: ServerPayload<AcknowledgedServerEventName>,
    timeoutMs: number,
  ): Promise<number> {
    const sockets = await this.socketsOf(audience);
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
    event: AcknowledgedServerEventName,
    payload: ServerPayload<AcknowledgedServerEventName>,
    timeoutMs: number,
  ): Promise<AcknowledgedDelivery> {
    return this.eachWithAck(await this.socketsOf(audience), event, payload, timeoutMs);
  }

  /**
   * Sends to one socket of this node as `sendToEachWithAck` does, without asking the other nodes
   * which sockets they hold; sends nothing when the socket is gone.
   */
  sendHereWithAck(
    socketId: string,
    event: AcknowledgedServerEventName,
    payload: ServerPayload<AcknowledgedServerEventName>,
    timeoutMs: number,
  ): AcknowledgedDelivery {
    const socket = this.io.sockets.sockets.get(socketId);
    return this.eachWithAck(socket === undefined ? [] : [socket], event, payload, timeoutMs);
  }

  private eachWithAck(
    sockets: (ClientSocket | RemoteSocket<ServerToClientEvents, SocketData>)[],
    event: AcknowledgedServerEventName,
    payload: ServerPayload<AcknowledgedServerEventName>,
    timeoutMs: number,
  ): AcknowledgedDelivery {
    const answers = sockets.map((socket) => {
      this.metrics.eventSent(event);
      // Emitted per socket rather than as one broadcast: a broadcast's pending acknowledgement stays
      // on each socket until that client answers, while a socket's own timeout also clears it.
      return socket
        .timeout(timeoutMs)
        .emitWithAck(event, payload)
        .then(
          // A socket of another node answers through a broadcast: a list of its one response,
          // empty when the socket was gone by the time the broadcast reached its node.
          (response: unknown) =>
            Array.isArray(response)
              ? response.length > 0 && isAcknowledgement(response[0])
              : isAcknowledgement(response),
          () => false,
        );
    });
    return { sent: sockets.length, acknowledged: firstTrue(answers) };
  }

  /** How many sockets the audience has, on every node. */
  async countSockets(audience: Audience): Promise<number> {
    return (await this.socketsOf(audience)).length;
  }

  /** The audience's sockets on every node. */
  private socketsOf(audience: Audience): Promise<RemoteSocket<ServerToClientEvents, SocketData>[]> {
    // Socket.IO types the sockets that a timed-out look-up fetches with the look-up's own
    // acknowledgement shape; they are plain sockets, whose emits take the contract's.
    return this.io.timeout(FETCH_SOCKETS_TIMEOUT_MS).in(roomOf(audience)).fetchSockets();
  }

  private get io() {
    return this.socketServer.io;
  }
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
