import { Injectable } from '@nestjs/common';
import type { RemoteSocket } from 'socket.io';
import type { ClientSocket, SocketData, SwitchboardServer } from '../common/client-socket.js';
import { AppConfig } from '../config/app-config.js';
import { ServerEvents, userRoom } from '../contract/events.js';
import type {
  AcknowledgedServerEventName,
  ServerEventName,
  ServerPayload,
  ServerToClientEvents,
} from '../contract/socket-events.js';
import type { Identity, SessionEnded, SessionEndReason } from '../contract/types.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { Announcement } from '../storage/stores.js';
import { dropConnection } from './outgoing-buffer.js';

/**
 * How long a cluster-wide look-up of sockets waits for the other nodes, so that an event that
 * needs one replies within the contract's 5 seconds even when a node or Redis does not answer.
 */
export const FETCH_SOCKETS_TIMEOUT_MS = 3000;

/** The request to the other nodes to end their sockets' sessions (Socket.IO's server-side emit). */
const END_SESSIONS = 'switchboard:end-sessions';

/** Socket.IO's packet type of an event, in what the adapter stream carries. */
const EVENT_PACKET_TYPE = 2;
/** The cluster adapter's message type of a broadcast. */
const BROADCAST_MESSAGE_TYPE = '3';
/**
 * The sender id that the cluster adapter reserves for publishers that are not nodes: every node,
 * the publishing one included, delivers such an entry, and none counts it as another node.
 */
const EXTERNAL_PUBLISHER_UID = 'emitter';

/** A socket of this node with who it is and the chat rooms it is in. */
export interface LocalMembership {
  socketId: string;
  user: Identity;
  rooms: string[];
}

/** A socket of this node: whose it is, and when it connected (ms since the epoch). */
export interface LocalSocket {
  socketId: string;
  userId: string;
  connectedAt: number;
}

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
  private server?: SwitchboardServer;

  /** Other nodes share the sockets' audiences (Redis): some work is asked of each of them. */
  private readonly clustered: boolean;

  constructor(
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.clustered = config.redisUrl !== undefined;
  }

  attach(server: SwitchboardServer): void {
    this.server = server;
    if (this.clustered) {
      server.on(END_SESSIONS, (audience: Audience, ended: SessionEnded) =>
        this.endLocalSessions(audience, ended),
      );
    }
  }

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
   * The broadcast of a stored message for a store that publishes it itself (see
   * `HistoryStore.announcesAppends`), in the Socket.IO adapter stream's entry format.
   */
  announcement(
    audience: Audience,
    event: ServerEventName,
    options: SendOptions = {},
  ): Announcement {
    const rooms = roomOf(audience);
    const opts = {
      rooms: typeof rooms === 'string' ? [rooms] : rooms,
      except: options.except === undefined ? [] : [roomOf(options.except)],
      flags: {},
    };
    const nsp = this.io.sockets.name;
    return {
      uid: EXTERNAL_PUBLISHER_UID,
      nsp,
      type: BROADCAST_MESSAGE_TYPE,
      dataBefore: `{"packet":{"type":${EVENT_PACKET_TYPE},"data":[${JSON.stringify(event)},`,
      dataAfter: `],"nsp":${JSON.stringify(nsp)}},"opts":${JSON.stringify(opts)}}`,
    };
  }

  /** Counts an event that a store published on the Broadcaster's behalf. */
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

  /** The socket is on this node: joined here, without telling the other nodes. */
  addToRoom(socketId: string, room: string): void {
    void this.io.sockets.sockets.get(socketId)?.join(CHAT_ROOM_PREFIX + room);
  }

  removeFromRoom(socketId: string, room: string): void {
    void this.io.sockets.sockets.get(socketId)?.leave(CHAT_ROOM_PREFIX + room);
  }

  /**
   * Whether a socket of this node is in a chat room. Socket.IO's own rooms of the socket are the
   * truth for it (the presence store is restored from them), and reading them costs no round trip
   * to a store on every event that needs membership.
   */
  isInRoom(socketId: string, room: string): boolean {
    return this.io.sockets.sockets.get(socketId)?.rooms.has(CHAT_ROOM_PREFIX + room) ?? false;
  }

  /** Every socket of this node. */
  socketsHere(): LocalSocket[] {
    return [...(this.io.sockets.sockets.values() as Iterable<ClientSocket>)].map(localSocket);
  }

  /** The user's sockets on this node, at once (their own room says which). */
  socketsHereOf(userId: string): LocalSocket[] {
    return this.localSocketsOf({ userId }).map(localSocket);
  }

  /** Every socket of this node with the chat rooms it is in. */
  localMemberships(): LocalMembership[] {
    return [...(this.io.sockets.sockets.values() as Iterable<ClientSocket>)].map((socket) => ({
      socketId: socket.id,
      user: socket.data.user,
      rooms: this.chatRoomsOf(socket.id),
    }));
  }

  /** The chat rooms a socket of this node is in (after a recovery: those Socket.IO restored). */
  chatRoomsOf(socketId: string): string[] {
    const rooms = this.io.sockets.sockets.get(socketId)?.rooms ?? [];
    return [...rooms]
      .filter((room) => room.startsWith(CHAT_ROOM_PREFIX))
      .map((room) => room.slice(CHAT_ROOM_PREFIX.length));
  }

  /**
   * Ends the sessions of the audience, on every node: each socket gets `session:ended` and is
   * disconnected ("io server disconnect": the client does not reconnect by itself). Each node
   * does it to its own sockets, so that the event is written before the close, which lets it out
   * first (a broadcast and a disconnection sent through the adapter reach a node's own sockets in
   * the other order).
   */
  endSessions(audience: Audience, reason: SessionEndReason, message: string): void {
    this.endLocalSessions(audience, { reason, message });
    if (this.clustered) this.io.serverSideEmit(END_SESSIONS, audience, { reason, message });
  }

  /** Ends the session of a socket of this node, as `endSessions` does, without asking the others. */
  endSessionHere(socketId: string, ended: SessionEnded): void {
    this.endLocalSessions({ socketId }, ended);
  }

  private endLocalSessions(audience: Audience, ended: SessionEnded): void {
    // Marked on the node that holds each socket, so that its disconnect counts under the reason.
    for (const socket of this.localSocketsOf(audience)) {
      this.metrics.endingSession(socket, ended.reason);
    }
    // Emitted as a local broadcast: a socket's own emit goes through the cluster adapter when
    // connection state recovery is on, and would reach the client after the disconnection.
    const sockets = this.io.local.in(roomOf(audience));
    sockets.emit(ServerEvents.sessionEnded, ended);
    this.metrics.eventSent(ServerEvents.sessionEnded);
    sockets.disconnectSockets(true);
  }

  /** The audience's sockets on this node, at once (a local look-up needs no round trip). */
  private localSocketsOf(audience: Audience): ClientSocket[] {
    const namespace = this.io.sockets;
    const room = roomOf(audience);
    const ids =
      typeof room === 'string'
        ? (namespace.adapter.rooms.get(room) ?? [])
        : namespace.sockets.keys();
    return [...ids].flatMap((id) => {
      const socket = namespace.sockets.get(id);
      return socket === undefined ? [] : [socket];
    });
  }

  /** Closes every connection without a "server disconnect", so that clients reconnect by themselves. */
  dropAllConnections(): void {
    // Dropped, not closed: a close waits for a slow reader's backlog to drain, which may never
    // happen. What was not written yet is replayed by recovery or caught up with `after`.
    for (const socket of this.io.sockets.sockets.values() as Iterable<ClientSocket>) {
      dropConnection(socket);
    }
  }

  /** The audience's sockets on every node. */
  private socketsOf(audience: Audience): Promise<RemoteSocket<ServerToClientEvents, SocketData>[]> {
    // Socket.IO types the sockets that a timed-out look-up fetches with the look-up's own
    // acknowledgement shape; they are plain sockets, whose emits take the contract's.
    return this.io.timeout(FETCH_SOCKETS_TIMEOUT_MS).in(roomOf(audience)).fetchSockets();
  }

  private get io(): SwitchboardServer {
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

function localSocket(socket: ClientSocket): LocalSocket {
  return { socketId: socket.id, userId: socket.data.user.id, connectedAt: socket.handshake.issued };
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
