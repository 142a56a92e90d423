import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AppError, failureOf } from '../common/app-error.js';
import type { Failure } from '../contract/types.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';

/** The responder the dispatcher hands to each handler in the place of Socket.IO's raw ack. */
export type Respond = (reply: Failure) => void;

/**
 * Turns whatever a handler threw into the contract's failure, answered through the event's
 * responder (the ack, or the `error` event when there is none). Unexpected errors are logged with
 * their stack and reach the client only as INTERNAL.
 */
@Catch()
export class ReplyFilter implements ExceptionFilter {
  constructor(@Inject(APP_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const respond: unknown = host.getArgByIndex(2);
    if (!(exception instanceof AppError)) {
      const socket = host
        .switchToWs()
        .getClient<{ id: string; data?: { user?: { id: string } } }>();
      this.logger.error(
        {
          err: exception,
          socketId: socket.id,
          userId: socket.data?.user?.id,
          event: host.getArgByIndex(3),
        },
        'event handler failed',
      );
    }
    if (typeof respond === 'function') (respond as Respond)(failureOf(exception));
  }
}
