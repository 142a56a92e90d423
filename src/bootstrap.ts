import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { CorsOptionsDelegate } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request } from 'express';
import { API_PATH, apiKeyGate } from './api/api-key.gate.js';
import { serveAsyncApiDocument } from './api/asyncapi.js';
import { serveOpenApiDocument } from './api/openapi.js';
import { AppModule } from './app.module.js';
import type { AppConfig, CorsOrigins } from './config/app-config.js';
import { isOriginAllowed } from './common/origin-policy.js';
import { securityHeaders } from './common/security-headers.js';
import { ConnectionGateway } from './connection/connection.gateway.js';
import { DispatchingIoAdapter } from './socket/dispatching-io.adapter.js';
import { NestPinoLogger, type Logger } from './logging/logger.js';
import { isMetricsPath, METRICS_PATH, metricsTokenGate } from './metrics/metrics-token.gate.js';
import { SessionEnds } from './realtime/session-ends.js';
import { SOCKET_IO_ADAPTER, type SocketIoAdapter } from './storage/storage.module.js';

/** Socket.IO keeps a dropped session this long so that a returning client gets it back. */
export const RECOVERY_WINDOW_MS = 2 * 60 * 1000;

/** The largest JSON body an HTTP request may have: a notification with its `data` fits well within it. */
export const HTTP_JSON_BODY_LIMIT = '64kb';

const PUBLIC_DIR = join(import.meta.dirname, '..', 'public');
/** The client library's browser bundle (`npm run build` makes it), served at /client/switchboard.js. */
const CLIENT_BUNDLE_DIR = join(import.meta.dirname, '..', 'client', 'dist', 'browser');

/** Builds the application (HTTP and Socket.IO on one server) without listening yet. */
export async function createApplication(
  config: AppConfig,
  logger: Logger,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger), {
    logger: new NestPinoLogger(logger),
    // Parsed below, after the server API's key check.
    bodyParser: false,
    cors: httpCors(config.corsOrigins),
  });
  // First, so that every answer carries them, refusals included.
  app.use(securityHeaders());
  app.use(API_PATH, apiKeyGate(config.apiKeys));
  if (config.metricsToken !== undefined) {
    app.use(METRICS_PATH, metricsTokenGate(config.metricsToken));
  }
  app.useBodyParser('json', { limit: HTTP_JSON_BODY_LIMIT });
  serveOpenApiDocument(app);
  serveAsyncApiDocument(app);
  app.useWebSocketAdapter(
    new DispatchingIoAdapter(app, {
      maxHttpBufferSize: config.maxPayloadBytes,
      cors: { origin: config.corsOrigins === '*' ? true : config.corsOrigins },
      allowRequest: (request, callback) =>
        callback(null, isOriginAllowed(request, config.corsOrigins)),
      adapter: app.get<SocketIoAdapter>(SOCKET_IO_ADAPTER),
      connectionStateRecovery: {
        maxDisconnectionDuration: RECOVERY_WINDOW_MS,
        skipMiddlewares: true,
      },
    }),
  );
  app.useStaticAssets(PUBLIC_DIR, { index: 'index.html' });
  app.useStaticAssets(CLIENT_BUNDLE_DIR, { prefix: '/client/' });
  app.disable('x-powered-by');
  return app;
}

/**
 * Express's CORS answers: the allowed origins on every route but `/metrics`, which no page may
 * read whatever CORS_ORIGINS says (a scraper is no browser, and needs no CORS).
 */
function httpCors(allowed: CorsOrigins): CorsOptionsDelegate<Request> {
  const everywhere = { origin: allowed === '*' ? true : allowed };
  return (request, callback) =>
    callback(null, isMetricsPath(request.path) ? { origin: false } : everywhere);
}

/**
 * Drops every client connection (so that clients reconnect elsewhere), lets their clean-up reach
 * the stores (with Redis, other nodes would otherwise see them present until this node is reaped),
 * and closes the app.
 */
export async function shutDown(app: NestExpressApplication): Promise<void> {
  app.get(SessionEnds).dropAllConnections();
  await app.get(ConnectionGateway).settled();
  await app.close();
}
