import type { RequestHandler } from 'express';
import { AppError } from '../common/app-error.js';
import { bearerMatcher } from '../common/bearer-secret.js';
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
  const isApiKey = bearerMatcher(apiKeys);
  return (request, response, next) => {
    // Express strips the mount path: `request.path` is relative to API_PATH.
    if (request.path === OPENAPI_DOCUMENT_PATH) return next();
    if (apiKeys.length === 0) {
      return sendHttpError(
        response,
        new AppError(
          'NOT_FOUND',
          'the server API is off: neither API_KEY nor NOTIFY_API_KEY is set',
        ),
      );
    }
    if (!isApiKey(request.headers.authorization)) {
      return sendHttpError(
        response,
        new AppError('UNAUTHORIZED', 'a valid Bearer API_KEY is required'),
      );
    }
    next();
  };
}
