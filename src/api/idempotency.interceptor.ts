import { createHash } from 'node:crypto';
import {
  Inject,
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { catchError, from, map, mergeMap, of, throwError, type Observable } from 'rxjs';
import { AppError } from '../common/app-error.js';
import { httpAnswerOf } from '../common/http-error.filter.js';
import { validatePayload } from '../common/payload-validation.js';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from '../storage/stores.js';
import { IdempotencyKeyDto } from './idempotency-key.dto.js';

/** How long a repeated key returns the first answer (the contract's 24 hours). */
export const IDEMPOTENCY_KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * How long a request holds its key while at work. Far more than any route takes (they answer
 * within seconds, or INTERNAL), and short, so that the key of a node that died at work comes free.
 */
export const IDEMPOTENCY_PENDING_MS = 60_000;

/**
 * Makes a POST route of the server API idempotent by the body's `idempotencyKey`: the first
 * request with a key does the work and its answer (status and body, a refusal's included) is kept;
 * a repeat within 24 hours gets that answer again and does nothing. A repeat that arrives while
 * the first is still at work is refused `409 CONFLICT` (retry it): waiting for the other request
 * would hold a connection for an unknown time. An unexpected failure (`500 INTERNAL`, such as
 * Redis not answering) keeps no answer, so that a retry does the work.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(IDEMPOTENCY_STORE) private readonly answers: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const { idempotencyKey } = validatePayload(IdempotencyKeyDto, request.body);
    if (idempotencyKey === undefined) return next.handle();
    const key = scopedKey(request, idempotencyKey);
    return from(this.answers.claim(key, IDEMPOTENCY_PENDING_MS)).pipe(
      mergeMap((claim) => {
        if (claim.state === 'pending') {
          throw new AppError(
            'CONFLICT',
            'a request with this idempotencyKey is still at work: retry it in a moment',
          );
        }
        if (claim.state === 'answered') {
          response.status(claim.answer.status);
          return of(claim.answer.body);
        }
        return next.handle().pipe(
          mergeMap((body) => this.keep(key, { status: response.statusCode, body })),
          catchError((error: unknown) =>
            from(this.settleFailure(key, error)).pipe(mergeMap(() => throwError(() => error))),
          ),
        );
      }),
    );
  }

  private keep(key: string, answer: { status: number; body: unknown }): Observable<unknown> {
    return from(this.answers.complete(key, answer, IDEMPOTENCY_KEEP_MS)).pipe(
      map(() => answer.body),
    );
  }

  private async settleFailure(key: string, error: unknown): Promise<void> {
    if (error instanceof AppError && error.code !== 'INTERNAL') {
      await this.answers.complete(key, httpAnswerOf(error), IDEMPOTENCY_KEEP_MS);
    } else {
      await this.answers.release(key);
    }
  }
}

/** Puts a POST route of the server API under the idempotency of IdempotencyInterceptor. */
export const Idempotent = () => UseInterceptors(IdempotencyInterceptor);

/**
 * A key is the caller's per route and path: the same key sent to two rooms is two keys. Hashed,
 * so that the stored key has one length whatever the path.
 */
function scopedKey(request: Request, idempotencyKey: string): string {
  const route = (request.route as { path: string }).path;
  return createHash('sha256')
    .update(JSON.stringify([request.method, route, request.params, idempotencyKey]))
    .digest('base64url');
}
