import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../common/app-error.js';
import { sendHttpError } from '../common/http-error.filter.js';

/** Where the server API lives: every route under it needs the key, but for the public ones below. */
export const API_PATH = '/api';

/** The OpenAPI document, relative to API_PATH: it describes the API, and holds no secret. */
export const OPENAPI_DOCUMENT_PATH = '/openapi.json';

/**
 * The door of the server API, mounted on API_PATH before the JSON body parser so that a caller
 * without the key learns nothing from how its body is parsed: 404 while no key is set (the API is
 * off), 401 without `Authorization: Bearer <key>` for one of `apiKeys`.
 */
export function apiKeyGate(apiKeys: readonly string[]): RequestHandler {
  const expected = apiKeys.map(digest);
  return (request, response, next) => {
    // Express strips the mount path: `request.path` is relative to API_PATH.
    if (request.path === OPENAPI_DOCUMENT_PATH) return next();
    if (expected.length === 0) {
      return sendHttpError(
        response,
        new AppError(
          'NOT_FOUND',
          'the server API is off: neither API_KEY nor NOTIFY_API_KEY is set',
        ),
      );
    }
    const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (presented === undefined || !matchesOne(digest(presented), expected)) {
      return sendHttpError(
        response,
        new AppError('UNAUTHORIZED', 'a valid Bearer API_KEY is required'),
      );
    }
    next();
  };
}

/**
 * Both sides are hashed to one length first, and every key is compared (no early exit), so the
 * comparison's time says nothing of the keys.
 */
function matchesOne(presented: Buffer, expected: readonly Buffer[]): boolean {
  return expected.map((key) => timingSafeEqual(presented, key)).includes(true);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
