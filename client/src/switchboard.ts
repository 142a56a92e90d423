import { io, type Socket } from 'socket.io-client';
import type {
  ClientEventName,
  ClientToServerEvents,
  ReplyData,
  ServerToClientEvents,
  ErrorEvent,
  Message,
  Notification,
  NotificationAck,
  Reply,
  SessionEnded,
  UserEvent,
  Welcome,
} from '@switchboard/contract';
import { newClientMsgId } from './client-msg-id.js';
import { Listeners } from './listeners.js';
import {
  RequestQueue,
  type PayloadOf,
  type RequestArgs,
  type RequestPolicy,
} from './request-queue.js';
import { Room } from './room.js';
import { SeenIds } from './seen-ids.js';
import { SwitchboardError } from './switchboard-error.js';
import { TokenKeeper } from './token-keeper.js';

export type ConnectionState =
  'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'refused';

export interface StateChange {
  state: ConnectionState;
  /** 'reconnecting': Socket.IO's reconnection attempt (1, 2, …). */
  attempt?: number;
  /** 'connected': the welcome's `recovered`. */
  recovered?: boolean;
  /** 'refused': the handshake refusal; 'disconnected': the `session:ended` reason, or 'closed'. */
  reason?: string;
  message?: string;
}

/** One event in or out, or a reply (`reply: true`), for a traffic log. */
export interface Traffic {
  direction: 'in' | 'out';
  event: string;
  payload: unknown;
  reply?: boolean;
}

export interface SwitchboardOptions {
  auth?: { name?: string; token?: string };
  /** Asked for a token when the current one is about to expire or was refused. */
  getToken?: () => Promise<string>;
  transports?: ('websocket' | 'polling')[];
  /** How long a request waits for its reply once sent; default 10 000. */
  requestTimeoutMs?: number;
}

export interface SwitchboardEvents {
  [name: string]: (...args: never[]) => unknown;
  state: (state: ConnectionState, detail: StateChange) => void;
  welcome: (welcome: Welcome) => void;
  /** Each id once; the acknowledgement goes once every listener has settled. */
  notification: (notification: Notification) => void | Promise<void>;
  'user-event': (event: UserEvent) => void;
  error: (error: ErrorEvent) => void;
  traffic: (traffic: Traffic) => void;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Notification ids remembered: far more than the server redelivers at once. */
const REMEMBERED_NOTIFICATIONS = 1_000;
/** The pause before connecting again when Socket.IO does not (a server disconnect, a handshake rate refusal). */
const FIRST_RECONNECT_DELAY_MS = 500;
const LONGEST_RECONNECT_DELAY_MS = 10_000;
/** Refusals that say "not now" rather than "no": a re-join refused so is tried again. */
const NOT_NOW = new Set<string>(['INTERNAL', 'UNAVAILABLE', 'TIMEOUT']);
const FIRST_REJOIN_PAUSE_MS = 250;
const LONGEST_REJOIN_PAUSE_MS = 8_000;
/** The session ended on purpose and must not come back by itself. */
const FINAL_SESSION_ENDS = new Set(['kicked', 'replaced', 'rate_limited']);
/** Events that the server repeats safely, so that a drop before the reply sends them again. */
const RESENT_AFTER_DROP = new Set<ClientEventName>([
  'session:ping',
  'room:join',
  'room:leave',
  'room:members',
  'chat:history',
  'chat:send',
]);

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A connection to a Switchboard server that keeps rooms gapless across drops; see docs/client.md. */
export class Switchboard {
  private readonly listeners = new Listeners<SwitchboardEvents>();
  private readonly clientSocket: ClientSocket;
  private readonly queue: RequestQueue;
  private readonly tokens: TokenKeeper;
  private readonly joinedRooms = new Map<string, Room>();
  private readonly joining = new Map<string, Promise<Room>>();
  /** Joined rooms that the server's current session does not hold: their re-join has not succeeded yet. */
  private readonly roomsOutsideSession = new Set<Room>();
  private readonly seenNotifications = new SeenIds(REMEMBERED_NOTIFICATIONS);
  private currentDetail: StateChange = { state: 'connecting' };
  private currentWelcome: Welcome | undefined;
  private welcomeWaiters: { resolve(welcome: Welcome): void; reject(error: unknown): void }[] = [];
  private finalError: SwitchboardError | undefined;
  private sessionEnd: SessionEnded | undefined;
  private connectionNumber = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly rejoinPauses = new Set<ReturnType<typeof setTimeout>>();
  private reconnectsInARow = 0;

  constructor(url: string, options: SwitchboardOptions = {}) {
    this.tokens = new TokenKeeper(options.auth?.token, options.getToken, {
      refresh: (token) => this.send('session:refresh', { token }, { beforeRejoined: true }),
    });
    const name = options.auth?.name;
    this.clientSocket = io(url, {
      // A function, so that every reconnection presents the latest token.
      auth: (accept) => accept(this.tokens.handshakeAuth() ?? (name === undefined ? {} : { name })),
      transports: options.transports ?? ['websocket', 'polling'],
      forceNew: true,
      autoConnect: false,
    });
    this.queue = new RequestQueue(
      (event, payload, onReply) => this.transmit(event, payload, onReply),
      options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    );
    this.listenToServer();
    void this.tokens.beforeFirstConnection().then(
      () => this.finalError ?? this.clientSocket.connect(),
      (error: unknown) =>
        this.end({ state: 'refused', reason: 'unauthorized', message: String(error) }),
    );
  }

  get state(): ConnectionState {
    return this.currentDetail.state;
  }

  get stateDetail(): StateChange {
    return this.currentDetail;
  }

  /** The user of the latest welcome. */
  get user(): Welcome['user'] | undefined {
    return this.currentWelcome?.user;
  }

  get rooms(): ReadonlyMap<string, Room> {
    return this.joinedRooms;
  }

  /** The Socket.IO socket underneath, to inspect (its transport, say); emitting on it bypasses the library. */
  get socket(): ClientSocket {
    return this.clientSocket;
  }

  on<E extends keyof SwitchboardEvents>(name: E, listener: SwitchboardEvents[E]): () => void {
    return this.listeners.on(name, listener);
  }

  off<E extends keyof SwitchboardEvents>(name: E, listener: SwitchboardEvents[E]): void {
    this.listeners.off(name, listener);
  }

  /** The current welcome when connected, else the next one. */
  connected(): Promise<Welcome> {
    if (this.finalError) return Promise.reject(this.finalError);
    if (this.state === 'connected' && this.currentWelcome) {
      return Promise.resolve(this.currentWelcome);
    }
    return new Promise((resolve, reject) => this.welcomeWaiters.push({ resolve, reject }));
  }

  /** Joins `room`, or returns the Room already joined (or being joined). */
  join(room: string, options: { token?: string } = {}): Promise<Room> {
    const known = this.joinedRooms.get(room) ?? this.joining.get(room);
    if (known) return Promise.resolve(known);
    const joining = this.send(
      'room:join',
      options.token ? { room, token: options.token } : { room },
    )
      .then((joined) => {
        const joinedRoom = new Room(
          { request: (...args) => this.send(...args), forget: (left) => this.forget(left) },
          joined,
          options.token,
        );
        this.joinedRooms.set(room, joinedRoom);
        return joinedRoom;
      })
      .finally(() => this.joining.delete(room));
    this.joining.set(room, joining);
    return joining;
  }

  /**
   * Any client event, typed by the contract. A `chat:send` gets a `clientMsgId` when it has none
   * (so that it is retried safely), goes through the ordered outbox, and reaches its room's
   * 'message' listeners as a Room's own send does.
   */
  async request<E extends ClientEventName>(
    event: E,
    ...args: RequestArgs<E>
  ): Promise<ReplyData<E>> {
    const payload = args[0] as PayloadOf<E>;
    if (event !== 'chat:send') return this.send(event, payload);
    const sendPayload = payload as PayloadOf<'chat:send'>;
    const message: Message = await this.send('chat:send', {
      ...sendPayload,
      clientMsgId: sendPayload.clientMsgId ?? newClientMsgId(),
    });
    this.joinedRooms.get(message.room)?.receive(message);
    return message as ReplyData<E>;
  }

  /**
   * Asks the application's backend (the server's HOOK_RPC_URL) and resolves with the `data` it
   * answered (null when it gave none). Rejects with a SwitchboardError: the backend's own refusal
   * (`VALIDATION_FAILED`, `FORBIDDEN`, `NOT_FOUND`, `CONFLICT`), `UNAVAILABLE` when it did not
   * answer in time (a retry later is safe), `NOT_FOUND` when the server has no backend to ask.
   * Not sent again after a drop: the backend may not expect a method twice.
   *
   * @param method 1–64 characters of `A-Z a-z 0-9 _ . : -`, the backend's own name
   * @param data any JSON value, within the server's RELAY_MAX_BYTES
   * @return the backend's `data`
   * @example
   * const { total } = await sb.rpc<{ total: number }>('cart.total', { cartId: 42 });
   */
  rpc<T = unknown>(method: string, data?: unknown): Promise<T> {
    return this.send('rpc', data === undefined ? { method } : { method, data }) as Promise<T>;
  }

  /** Ends everything: waiting promises reject with CLOSED, and no timer or listener is left. */
  close(): void {
    this.end({ state: 'disconnected', reason: 'closed' });
    this.listeners.clear();
    for (const room of this.joinedRooms.values()) room.detach();
    this.joinedRooms.clear();
  }

  private send<E extends ClientEventName>(
    event: E,
    payload: PayloadOf<E>,
    policy: Partial<RequestPolicy> = {},
  ): Promise<ReplyData<E>> {
    return this.queue.request(event, payload, {
      resendAfterDrop: RESENT_AFTER_DROP.has(event),
      resendAfterTimeout: event === 'chat:send',
      beforeRejoined: false,
      inOrder: event === 'chat:send',
      ...policy,
    }) as Promise<ReplyData<E>>;
  }

  private transmit(
    event: ClientEventName,
    payload: unknown,
    onReply: (reply: Reply<unknown>) => void,
  ): void {
    this.traffic({ direction: 'out', event, payload });
    const replied = (reply: Reply<unknown>) => {
      this.traffic({ direction: 'in', event, payload: reply, reply: true });
      onReply(reply);
    };
    // The contract's typed emit does not take the event name as a variable.
    const untyped = this.clientSocket as unknown as Socket;
    if (payload === undefined) untyped.emit(event, replied);
    else untyped.emit(event, payload, replied);
  }

  private traffic(traffic: Traffic): void {
    this.listeners.emit('traffic', traffic);
  }

  private listenToServer(): void {
    const socket = this.clientSocket;
    socket.onAny((event: string, payload: unknown) =>
      this.traffic({ direction: 'in', event, payload }),
    );
    socket.on('welcome', (welcome) => this.welcomed(welcome));
    socket.on('disconnect', (reason) => this.dropped(reason));
    socket.on('connect_error', (error) => this.refused(error));
    socket.io.on('reconnect_attempt', (attempt) => {
      if (this.currentWelcome) this.setState({ state: 'reconnecting', attempt });
    });
    socket.on('session:expiring', ({ expiresAt }) => this.tokens.expiring(expiresAt));
    socket.on('session:ended', (ended) => (this.sessionEnd = ended));
    socket.on('chat:message', (message) => this.joinedRooms.get(message.room)?.receive(message));
    socket.on('chat:typing', (typing) => this.joinedRooms.get(typing.room)?.typingOf(typing));
    socket.on('room:event', (event) => this.joinedRooms.get(event.room)?.eventOf(event));
    socket.on('room:joined', ({ room, user }) => this.joinedRooms.get(room)?.joinedBy(user));
    socket.on('room:left', ({ room, user }) => this.joinedRooms.get(room)?.leftBy(user));
    socket.on('notification', (notification, ack) => void this.notified(notification, ack));
    socket.on('user:event', (event) => this.listeners.emit('user-event', event));
    socket.on('error', (error) => this.listeners.emit('error', error));
  }

  private welcomed(welcome: Welcome): void {
    this.currentWelcome = welcome;
    this.reconnectsInARow = 0;
    this.tokens.welcomed(welcome.serverTime);
    this.setState({ state: 'connected', recovered: welcome.recovered });
    this.listeners.emit('welcome', welcome);
    const waiters = this.welcomeWaiters;
    this.welcomeWaiters = [];
    for (const waiter of waiters) waiter.resolve(welcome);
    void this.rejoinRooms(welcome.recovered);
  }

  /**
   * A recovered session is still in the rooms it held and got what it missed replayed; a room
   * whose re-join was still being retried when that session dropped is not among them. Every
   * other room is joined again, and only then do the waiting sends go out: before that, the
   * server would refuse them (not in the room).
   */
  private async rejoinRooms(recovered: boolean): Promise<void> {
    const connection = ++this.connectionNumber;
    const rooms = [...this.joinedRooms.values()];
    if (!recovered) for (const room of rooms) this.roomsOutsideSession.add(room);
    const toRejoin = rooms.filter((room) => this.roomsOutsideSession.has(room));
    for (const room of rooms) if (!this.roomsOutsideSession.has(room)) room.resume();
    if (toRejoin.length === 0) {
      this.queue.ready();
      return;
    }
    this.queue.rejoining();
    await Promise.all(toRejoin.map((room) => this.rejoinWhileNotNow(room, connection)));
    if (connection === this.connectionNumber && this.clientSocket.connected) this.queue.ready();
  }

  /**
   * Joins the room again, and again after a pause while the server answers "not now" (Redis away,
   * the application's backend slow): given up, the room would stay silent for the whole
   * connection, and every send to it would be refused as from a non-member.
   */
  private async rejoinWhileNotNow(room: Room, connection: number): Promise<void> {
    for (let pauseMs = FIRST_REJOIN_PAUSE_MS; ; pauseMs *= 2) {
      try {
        await room.rejoin();
        this.roomsOutsideSession.delete(room);
        return;
      } catch (error) {
        if (!(error instanceof SwitchboardError && NOT_NOW.has(error.code))) {
          this.rejoinFailed(room, error);
          return;
        }
      }
      await new Promise<void>((resolve) => {
        const pause = setTimeout(
          () => {
            this.rejoinPauses.delete(pause);
            resolve();
          },
          Math.min(pauseMs, LONGEST_REJOIN_PAUSE_MS),
        );
        this.rejoinPauses.add(pause);
      });
      const current = connection === this.connectionNumber && this.clientSocket.connected;
      if (!current || this.joinedRooms.get(room.name) !== room) return;
    }
  }

  /** A room that cannot be joined again (its grant is gone, say) is told as an `error` event. */
  private rejoinFailed(room: Room, error: unknown): void {
    if (
      !(error instanceof SwitchboardError) ||
      error.code === 'CLOSED' ||
      error.code === 'TIMEOUT'
    ) {
      return;
    }
    this.listeners.emit('error', {
      event: 'room:join',
      code: error.code,
      message: `${room.name} could not be joined again: ${error.message}`,
      details: error.details,
    });
  }

  private dropped(reason: string): void {
    this.queue.down();
    this.tokens.dropped();
    if (this.finalError) return;
    const ended = this.sessionEnd;
    this.sessionEnd = undefined;
    if (ended && FINAL_SESSION_ENDS.has(ended.reason)) {
      this.end({ state: 'disconnected', reason: ended.reason, message: ended.message });
    } else if (ended?.reason === 'token_expired') {
      if (!this.tokens.canRenew) {
        this.end({ state: 'disconnected', reason: ended.reason, message: ended.message });
      } else {
        this.setState({ state: 'reconnecting' });
        this.connectWithNewToken();
      }
    } else if (reason === 'io server disconnect') {
      // Socket.IO does not come back by itself after a server's disconnect.
      this.setState({ state: 'reconnecting' });
      this.connectLater();
    } else {
      this.setState({ state: 'reconnecting' });
    }
  }

  /**
   * A failed connection attempt. A transport failure leaves the socket active, and Socket.IO
   * tries again by itself; a refused handshake does not.
   */
  private refused(error: Error): void {
    if (this.clientSocket.active || this.finalError) return;
    const reason = error.message;
    if (reason === 'unauthorized' && this.tokens.mayRenewAfterRefusal()) {
      this.connectWithNewToken();
    } else if (reason === 'rate_limited' || reason === 'unavailable') {
      // Not now rather than no: too many handshakes, or the application's backend (the connect
      // hook) did not answer. Tried again after a growing pause.
      this.connectLater();
    } else {
      this.end({ state: 'refused', reason });
    }
  }

  private connectWithNewToken(): void {
    this.tokens.renew().then(
      () => this.finalError ?? this.clientSocket.connect(),
      (error: unknown) =>
        this.end({ state: 'refused', reason: 'unauthorized', message: String(error) }),
    );
  }

  private connectLater(): void {
    const delayMs = Math.min(
      FIRST_RECONNECT_DELAY_MS * 2 ** this.reconnectsInARow,
      LONGEST_RECONNECT_DELAY_MS,
    );
    this.reconnectsInARow++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.clientSocket.connect();
    }, delayMs);
  }

  /**
   * Each notification once: a repeat (the server redelivers what it saw no acknowledgement of) is
   * acknowledged again without reaching the listeners. The acknowledgement waits for the
   * listeners, so that one that fails before it could keep the notification gets it again.
   */
  private async notified(
    notification: Notification,
    // Not a function when Socket.IO's connection state recovery replays it: a replay carries no ack
    // id, and its last argument is the stream offset that recovery records.
    ack: ((response: NotificationAck) => void) | string | undefined,
  ): Promise<void> {
    if (this.seenNotifications.add(notification.id)) {
      await Promise.allSettled(this.listeners.emit('notification', notification));
    }
    if (this.finalError || typeof ack !== 'function') return;
    this.traffic({ direction: 'out', event: 'notification', payload: { ok: true }, reply: true });
    ack({ ok: true });
  }

  private forget(room: Room): void {
    if (this.joinedRooms.get(room.name) === room) this.joinedRooms.delete(room.name);
    this.roomsOutsideSession.delete(room);
  }

  private setState(detail: StateChange): void {
    this.currentDetail = detail;
    this.listeners.emit('state', detail.state, detail);
  }

  /** The final state: nothing reconnects, and everything waiting fails. */
  private end(detail: StateChange): void {
    if (this.finalError) return;
    this.finalError =
      detail.state === 'refused'
        ? new SwitchboardError(
            'UNAUTHORIZED',
            `the server refused the connection: ${detail.reason}`,
          )
        : new SwitchboardError('CLOSED', `the session ended: ${detail.reason}`);
    clearTimeout(this.reconnectTimer);
    for (const pause of this.rejoinPauses) clearTimeout(pause);
    this.tokens.stop();
    this.queue.close(this.finalError);
    for (const waiter of this.welcomeWaiters) waiter.reject(this.finalError);
    this.welcomeWaiters = [];
    this.clientSocket.offAny();
    this.clientSocket.off();
    this.clientSocket.io.off();
    this.clientSocket.disconnect();
    this.setState(detail);
  }
}
