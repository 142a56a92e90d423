import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../common/app-error.js';
import { sendHttpError } from '../common/http-error.filter.js';

/**
 * The door of the notifications API, mounted before the JSON body parser so that a caller
 * without the key learns nothing from how its body is parsed: 404 while NOTIFY_API_KEY is unset
 * (the API is off), 401 without `Authorization: Bearer <NOTIFY_API_KEY>`.
 */
export function apiKeyGate(apiKey: string | undefined): RequestHandler {
  const expected = apiKey === undefined ? undefined : digest(apiKey);
  return (request, response, next) => {
    if (expected === undefined) {
      return sendHttpError(
        response,
        new AppError('NOT_FOUND', 'the notifications API is off: NOTIFY_API_KEY is not set'),
      );
    }
    const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    // Both sides are hashed to one length first, so the comparison's time says nothing of the key.
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      return sendHttpError(
        response,
        new AppError('UNAUTHORIZED', 'a valid Bearer NOTIFY_API_KEY is required'),
      );
    }
    next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
