import { Inject, Injectable } from '@nestjs/common';
import { AppError, failureOf } from '../common/app-error.js';
import type { ClientSocket } from '../common/client-socket.js';
import { TokenBucket } from '../common/rate-limiter.js';
import { AppConfig } from '../config/app-config.js';
import { ServerEvents } from '../contract/events.js';
import type { ErrorEvent, Failure, Reply } from '../contract/types.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** A gateway handler as Nest prepares it: guards, param decorators and filters wrapped around it. */
export type EventHandler = (
  payload: unknown,
  respond: (reply: Failure) => void,
) => Promise<unknown>;

/** What the dispatcher keeps per connection: the gateways' handlers and the rate limit's bucket. */
export interface SocketSession {
  handlers: Map<string, EventHandler>;
  bucket: TokenBucket;
}

const UNKNOWN_EVENT_LABEL = 'unknown';

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
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  createSession(): SocketSession {
    return {
      handlers: new Map(),
      bucket: new TokenBucket(this.config.rateLimitPerSec, this.config.rateLimitBurst),
    };
  }

  register(session: SocketSession, event: string, handler: EventHandler): void {
    session.handlers.set(event, handler);
  }

  dispatch(socket: ClientSocket, session: SocketSession, event: string, args: unknown[]): void {
    const startedAt = performance.now();
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

    const handler = session.handlers.get(event);
    this.metrics.eventReceived(handler ? event : UNKNOWN_EVENT_LABEL);
    if (!session.bucket.tryTake()) {
      return respond(failureOf(new AppError('RATE_LIMITED', 'too many events: slow down')));
    }
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
}
