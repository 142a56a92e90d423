import { createHmac } from 'node:crypto';

/**
 * The `Switchboard-Signature` header of a request to the application's backend (webhooks and
 * hooks, docs/protocol.md): `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. The time
 * is inside what is signed, so that a receiver refusing an old `t` refuses a replayed request;
 * every try is therefore signed anew.
 */
export function signatureHeader(secret: string, rawBody: string, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
