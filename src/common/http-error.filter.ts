import {
  Catch,
  HttpException,
  HttpStatus,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import type { ErrorCode } from '../contract/types.js';
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
};

const CODE_OF = new Map<number, ErrorCode>(
  Object.entries(STATUS_OF)
    .filter(([code]) => code !== 'UNKNOWN_EVENT')
    .map(([code, status]) => [status, code as ErrorCode]),
);

/**
 * Every HTTP error body has one shape, `{ code, message, details? }`, with the contract's codes:
 * AppErrors from the services and Nest's own (unknown route, unparsable JSON, body too large).
 */
@Catch(AppError, HttpException)
export class HttpErrorFilter implements ExceptionFilter {
  catch(error: AppError | HttpException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const appError = error instanceof AppError ? error : fromHttpException(error);
    const body: Record<string, unknown> = { code: appError.code, message: appError.message };
    if (appError.details !== undefined) body.details = appError.details;
    response
      .status(error instanceof HttpException ? error.getStatus() : STATUS_OF[appError.code])
      .json(body);
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
