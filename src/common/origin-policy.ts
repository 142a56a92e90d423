import type { IncomingMessage } from 'node:http';
import type { CorsOrigins } from '../config/app-config.js';

/**
 * Whether a Socket.IO handshake may go on, by its Origin header. Browsers apply CORS to HTTP
 * long-polling but not to WebSocket, so the server checks the origin itself for both. A request
 * with no Origin comes from a non-browser client (another backend, a test), where CORS means
 * nothing. The Host header is never compared: a page on any domain pointed at this server (DNS
 * rebinding, a stray CNAME) sends a Host that matches its Origin. The service's own pages are
 * allowed through PUBLIC_URL (or CORS_ORIGINS), which `allowed` already holds.
 */
export function isOriginAllowed(request: IncomingMessage, allowed: CorsOrigins): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || allowed === '*') return true;
  return Array.isArray(allowed) && allowed.includes(origin);
}
