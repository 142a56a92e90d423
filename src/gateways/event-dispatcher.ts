import { Inject, Injectable } from '@nestjs/common';
import { AppError, failureOf } from '../common/app-error.js';
import type { ClientSocket } from '../common/client-socket.js';
import { TokenBucket } from '../common/rate-limiter.js';
import { RefusalWindow } from '../common/refusal-window.js';
import { AppConfig } from '../config/app-config.js';
import { ServerEvents } from '../contract/events.js';
import type { ErrorEvent, Failure, Reply, SessionEnded } from '../contract/types.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Broadcaster } from '../realtime/broadcaster.js';

/** A gateway handler as Nest prepares it: guards, param decorators and filters wrapped around it. */
export type EventHandler = (
  payload: unknown,
  respond: (reply: Failure) => void,
) => Promise<unknown>;

/** What the dispatcher keeps per connection: the gateways' handlers and the rate limit's state. */
export interface SocketSession {
  handlers: Map<string, EventHandler>;
  bucket: TokenBucket;
  refusals: RefusalWindow;
  /** When the last `error` event for a refused event without a callback was sent (ms). */
  rateLimitedErrorAt: number;
}

const UNKNOWN_EVENT_LABEL = 'unknown';

/** PROTOCOL "Limits": more than RATE_LIMIT_BURST refusals within this long is a flood. */
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
 * reply. One listener per socket (Socket.IO's `onAny`) and no per-event rxjs chain: this runs
 * for every event, so it stays short and allocation-light.
 */
@Injectable()
export class EventDispatcher {
  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly broadcaster: Broadcaster,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  createSession(): SocketSession {
    return {
      handlers: new Map(),
      bucket: new TokenBucket(this.config.rateLimitPerSec, this.config.rateLimitBurst),
      refusals: new RefusalWindow(this.config.rateLimitBurst, FLOOD_WINDOW_MS),
      rateLimitedErrorAt: -Infinity,
    };
  }

  register(session: SocketSession, event: string, handler: EventHandler): void {
    session.handlers.set(event, handler);
  }

  dispatch(socket: ClientSocket, session: SocketSession, event: string, args: unknown[]): void {
    const startedAt = performance.now();
    const handler = session.handlers.get(event);
    this.metrics.eventReceived(handler ? event : UNKNOWN_EVENT_LABEL);
    if (!session.bucket.tryTake(startedAt)) {
      return this.refuse(socket, session, event, args[args.length - 1], startedAt);
    }
    const ack =
      typeof args[args.length - 1] === 'function'
        ? (args.pop() as (reply: unknown) => void)
        : undefined;
    let answered = false;
    const respond = (reply: Reply<unknown>) => {
      if (answered) return;
      answered = true;
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
    };
    if (!handler) {
      return respond(failureOf(new AppError('UNKNOWN_EVENT', `unknown event "${event}"`)));
    }
    handler(args[0], respond).then(
      (data) => respond({ ok: true, data: data ?? {} }),
      (error: unknown) => {
        this.logger.error(
          { err: error, socketId: socket.id, userId: socket.data.user?.id, event },
          'event dispatch failed',
        );
        respond(failureOf(error));
      },
    );
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
      this.broadcaster.endSessionHere(socket.id, FLOODED);
    }
  }
}
