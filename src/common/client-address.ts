/**
 * The client's address as the server should believe it. Each proxy appends the address it got
 * the request from to `X-Forwarded-For`; only the last `trustedProxies` entries were written by
 * our own proxies, and what lies left of them was sent by the client, which may say anything.
 * So the client is the entry `trustedProxies` hops from the socket's peer (the leftmost one when
 * there are fewer): as Express's `trust proxy` with a number.
 */
export function clientAddress(
  peerAddress: string,
  forwardedFor: string | string[] | undefined,
  trustedProxies: number,
): string {
  if (trustedProxies === 0 || forwardedFor === undefined) return peerAddress;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (hops.length === 0) return peerAddress;
  return hops[Math.max(0, hops.length - trustedProxies)];
}
