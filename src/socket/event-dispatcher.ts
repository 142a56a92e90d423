import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { GATEWAY_METADATA } from '@nestjs/websockets/constants.js';
import { AppError, failureOf } from '../common/app-error.js';
import type { ClientSocket } from '../common/client-socket.js';
import { TokenBucket } from '../common/rate-limiter.js';
import { RefusalWindow } from '../common/refusal-window.js';
import { AppConfig } from '../config/app-config.js';
import {
  ServerEvents,
  type ErrorEvent,
  type Failure,
  type Reply,
  type SessionEnded,
} from '@switchboard/contract';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { SessionEnds } from '../realtime/session-ends.js';
import { buildHandlerTable, type HandlerTable } from './handler-table.js';

/** What the dispatcher keeps per connection: the rate limit's state, nothing per handler. */
export interface SocketSession {
  bucket: TokenBucket;
  refusals: RefusalWindow;
  /** When the last `error` event for a refused event without a callback was sent (ms). */
  rateLimitedErrorAt: number;
}

type Ack = (reply: Reply<unknown>) => void;

const UNKNOWN_EVENT_LABEL = 'unknown';

/** docs/protocol.md "Limits": more than RATE_LIMIT_BURST refusals within this long is a flood. */
export const FLOOD_WINDOW_MS = 5000;
/** Refused events without a callback get at most one `error` event this often, not a flood of them. */
export const RATE_LIMITED_ERROR_INTERVAL_MS = 1000;

/** Built once: a refusal sends the same reply every time instead of building an error per event. */
const RATE_LIMITED: Failure = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'RATE_LIMITED', message: 'too many events: slow down' }),
});
const FLOODED: SessionEnded = Object.freeze({
  reason: 'rate_limited',
  message: 'too many events after being rate limited',
});

/**
 * The path every client event takes: rate limit, look up the handler, run it, send exactly one
 * reply. One listener per socket (Socket.IO's `onAny`), one handler table for all sockets, and no
 * per-event wrapper: a handler that returns a value is answered at once, a promise when it settles.
 */
type DisconnectHandler = (socket: ClientSocket, reason: string) => unknown;

function handlesDisconnect(gateway: object): gateway is { handleDisconnect: DisconnectHandler } {
  return typeof (gateway as { handleDisconnect?: unknown }).handleDisconnect === 'function';
}

@Injectable()
export class EventDispatcher implements OnModuleInit {
  private handlers: HandlerTable = new Map();
  private disconnectHandlers: DisconnectHandler[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly sessionEnds: SessionEnds,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly discovery: DiscoveryService,
  ) {}

  /** Here rather than in the constructor: every gateway is instantiated by then. */
  onModuleInit(): void {
    const gateways = this.gateways();
    this.handlers = buildHandlerTable(gateways);
    this.disconnectHandlers = gateways
      .filter(handlesDisconnect)
      .map((gateway) => gateway.handleDisconnect.bind(gateway));
  }

  /**
   * A socket is gone: every gateway's `handleDisconnect`, called here rather than through a
   * callback per gateway that Nest would make for each socket. A failure is logged, never thrown.
   */
  disconnected(socket: ClientSocket, reason: string): void {
    for (const handleDisconnect of this.disconnectHandlers) {
      try {
        const done = handleDisconnect(socket, reason);
        if (done instanceof Promise) {
          done.catch((error: unknown) => this.disconnectFailed(socket, error));
        }
      } catch (error) {
        this.disconnectFailed(socket, error);
      }
    }
  }

  private disconnectFailed(socket: ClientSocket, error: unknown): void {
    this.logger.error(
      { err: error, socketId: socket.id, userId: socket.data.user?.id },
      'disconnect handling failed',
    );
  }

  createSession(): SocketSession {
    return {
      bucket: new TokenBucket(this.config.rateLimitPerSec, this.config.rateLimitBurst),
      refusals: new RefusalWindow(this.config.rateLimitBurst, FLOOD_WINDOW_MS),
      rateLimitedErrorAt: -Infinity,
    };
  }

  dispatch(socket: ClientSocket, session: SocketSession, event: string, args: unknown[]): void {
    const startedAt = performance.now();
    const handler = this.handlers.get(event);
    this.metrics.eventReceived(handler ? event : UNKNOWN_EVENT_LABEL);
    if (!session.bucket.tryTake(startedAt)) {
      return this.refuse(socket, session, event, args[args.length - 1], startedAt);
    }
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Ack) : undefined;
    if (!handler) {
      const unknown = new AppError('UNKNOWN_EVENT', `unknown event "${event}"`);
      return this.reply(socket, event, ack, startedAt, failureOf(unknown));
    }
    let result: unknown;
    try {
      result = handler(socket, args[0]);
    } catch (error) {
      return this.fail(socket, event, ack, startedAt, error);
    }
    if (result instanceof Promise) {
      result.then(
        // `null` stays null: an rpc's backend may answer it.
        (data: unknown) =>
          this.reply(socket, event, ack, startedAt, {
            ok: true,
            data: data === undefined ? {} : data,
          }),
        (error: unknown) => this.fail(socket, event, ack, startedAt, error),
      );
    } else {
      this.reply(socket, event, ack, startedAt, { ok: true, data: result ?? {} });
    }
  }

  /** The instances Nest connects as gateways, the same ones its own SocketModule finds. */
  private gateways(): object[] {
    return this.discovery
      .getProviders()
      .filter(
        (wrapper) => wrapper.metatype && Reflect.hasMetadata(GATEWAY_METADATA, wrapper.metatype),
      )
      .map((wrapper) => {
        // A request-scoped gateway has an instance per connection, not one for the table.
        if (!wrapper.isDependencyTreeStatic()) {
          throw new Error(`${wrapper.name}: a gateway must not be request-scoped`);
        }
        return wrapper.instance as object;
      });
  }

  /**
   * The contract's failure for whatever a handler threw: an AppError answers its code; anything
   * else is logged with its stack and reaches the client only as INTERNAL.
   */
  private fail(
    socket: ClientSocket,
    event: string,
    ack: Ack | undefined,
    startedAt: number,
    error: unknown,
  ): void {
    if (!(error instanceof AppError)) {
      this.logger.error(
        { err: error, socketId: socket.id, userId: socket.data.user?.id, event },
        'event handler failed',
      );
    }
    this.reply(socket, event, ack, startedAt, failureOf(error));
  }

  /** The one reply of an event: its ack, or for a failure without one, the `error` event. */
  private reply(
    socket: ClientSocket,
    event: string,
    ack: Ack | undefined,
    startedAt: number,
    reply: Reply<unknown>,
  ): void {
    this.metrics.replied(
      reply.ok ? 'OK' : reply.error.code,
      (performance.now() - startedAt) / 1000,
    );
    if (ack) {
      ack(reply);
    } else if (!reply.ok) {
      const errorEvent: ErrorEvent = { event, ...reply.error };
      socket.emit(ServerEvents.error, errorEvent);
      this.metrics.eventSent(ServerEvents.error);
    }
  }

  /**
   * A rate-limited event: answered with the same prebuilt reply, no log line, and the socket's
   * session ended once the refusals show a flood. Refusals of events without a callback are
   * answered by at most one `error` event a second, so that a flood is not answered with a flood.
   */
  private refuse(
    socket: ClientSocket,
    session: SocketSession,
    event: string,
    last: unknown,
    now: number,
  ): void {
    this.metrics.replied('RATE_LIMITED', (performance.now() - now) / 1000);
    if (typeof last === 'function') {
      (last as (reply: Failure) => void)(RATE_LIMITED);
    } else if (now - session.rateLimitedErrorAt >= RATE_LIMITED_ERROR_INTERVAL_MS) {
      session.rateLimitedErrorAt = now;
      const errorEvent: ErrorEvent = { event, ...RATE_LIMITED.error };
      socket.emit(ServerEvents.error, errorEvent);
      this.metrics.eventSent(ServerEvents.error);
    }
    if (session.refusals.record(now) && socket.connected) {
      this.sessionEnds.endSessionHere(socket.id, FLOODED);
    }
  }
}
