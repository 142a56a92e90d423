/**
 * A fresh `clientMsgId`. `crypto.randomUUID` exists only in secure contexts (https, localhost):
 * a page served over plain http on a LAN address has `getRandomValues` alone.
 */
export function newClientMsgId(): string {
  if (typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
