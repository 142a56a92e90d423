import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * What the built-in page (public/) may load: its own files, the Socket.IO client bundle and
 * connections to this origin (long-polling requests and the WebSocket), nothing inline, from no
 * other origin, and it may not be framed (clickjacking). A page that needs more must move it into
 * a file of public/ rather than widen this.
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  // CSP Level 3: 'self' covers ws: and wss: to the page's own host, so the WebSocket transport is allowed.
  'connect-src': ["'self'"],
  'img-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Security headers on every HTTP route (Socket.IO answers its own path before Express sees it, so
 * the transports are unaffected). Helmet's defaults, with the policy above instead of its own:
 * theirs allows inline styles and asks browsers to upgrade every request to https, which would
 * break the page wherever the server is reached over plain http on a host other than localhost.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    xFrameOptions: { action: 'deny' },
  });
}
