import type { IncomingMessage } from 'node:http';
import type { CorsOrigins } from '../config/app-config.js';

/**
 * Whether a Socket.IO handshake may go on, by its Origin header. Browsers apply CORS to HTTP
 * long-polling but not to WebSocket, so the server checks the origin itself for both. A request
 * with no Origin comes from a non-browser client (another backend, a test), where CORS means
 * nothing; a page served by this very host is always welcome.
 */
export function isOriginAllowed(request: IncomingMessage, allowed: CorsOrigins): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || allowed === '*') return true;
  if (Array.isArray(allowed) && allowed.includes(origin)) return true;
  const host = request.headers.host;
  return host !== undefined && hostOf(origin) === host;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
