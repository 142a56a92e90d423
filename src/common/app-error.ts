import type { ErrorCode, Failure, FieldProblems } from '@switchboard/contract';

/** The one error a service throws; its code is one of the contract's. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static validation(details: FieldProblems[]): AppError {
    return new AppError('VALIDATION_FAILED', 'the payload is not valid', details);
  }
}

/** Turns any thrown value into the contract's failure; anything but an AppError is INTERNAL. */
export function failureOf(error: unknown): Failure {
  if (error instanceof AppError) {
    return error.details === undefined
      ? { ok: false, error: { code: error.code, message: error.message } }
      : { ok: false, error: { code: error.code, message: error.message, details: error.details } };
  }
  return { ok: false, error: { code: 'INTERNAL', message: 'internal error' } };
}
