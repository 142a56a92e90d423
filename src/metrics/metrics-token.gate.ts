import type { RequestHandler } from 'express';
import { AppError } from '../common/app-error.js';
import { bearerMatcher } from '../common/bearer-secret.js';
import { sendHttpError } from '../common/http-error.filter.js';

/** Where Prometheus scrapes; `/METRICS` and `/metrics/` reach it too (Express is lenient). */
export const METRICS_PATH = '/metrics';

const METRICS_PATHS = /^\/metrics\/?$/i;

/** Whether a request's path reaches the metrics, however Express spells it. */
export function isMetricsPath(path: string): boolean {
  return METRICS_PATHS.test(path);
}

/**
 * The door of `/metrics` when METRICS_TOKEN is set: 401 without `Authorization: Bearer <token>`.
 * The metrics tell who is connected, what they do and how the service fails: a scraper's business.
 */
export function metricsTokenGate(token: string): RequestHandler {
  const isToken = bearerMatcher([token]);
  return (request, response, next) => {
    if (isToken(request.headers.authorization)) return next();
    sendHttpError(
      response,
      new AppError('UNAUTHORIZED', 'a valid Bearer METRICS_TOKEN is required'),
    );
  };
}
