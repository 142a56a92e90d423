import {
  Catch,
  HttpException,
  HttpStatus,
  Inject,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import type { ErrorCode } from '@switchboard/contract';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { AppError } from './app-error.js';

const STATUS_OF: Record<ErrorCode, number> = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNKNOWN_EVENT: HttpStatus.NOT_FOUND,
  INTERNAL: HttpStatus.INTERNAL_SERVER_ERROR,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

const CODE_OF = new Map<number, ErrorCode>(
  Object.entries(STATUS_OF)
    .filter(([code]) => code !== 'UNKNOWN_EVENT')
    .map(([code, status]) => [status, code as ErrorCode]),
);

/** The one shape of every HTTP error body: `{ code, message, details? }`, with the contract's codes. */
export function httpAnswerOf(
  error: AppError,
  status = STATUS_OF[error.code],
): { status: number; body: Record<string, unknown> } {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  return { status, body };
}

export function sendHttpError(response: Response, error: AppError, status?: number): void {
  const answer = httpAnswerOf(error, status);
  response.status(answer.status).json(answer.body);
}

/**
 * Answers every HTTP error in that shape: AppErrors from the services, Nest's own (unknown route,
 * unparsable JSON, body too large), and anything unexpected as a logged INTERNAL.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(@Inject(APP_LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof AppError) return sendHttpError(response, error);
    if (error instanceof HttpException)
      return sendHttpError(response, fromHttpException(error), error.getStatus());
    this.logger.error({ err: error }, 'request failed');
    sendHttpError(response, new AppError('INTERNAL', 'internal error'));
  }
}

function fromHttpException(error: HttpException): AppError {
  const status = error.getStatus();
  const code = CODE_OF.get(status) ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
  if (code === 'VALIDATION_FAILED') {
    // The only 400 that reaches here is a body the JSON parser refused.
    return AppError.validation([{ field: 'body', problems: [error.message] }]);
  }
  return new AppError(code, status >= 500 ? 'internal error' : error.message);
}
