import { MAX_PAYLOAD_DEPTH } from './payload-validation.js';

/**
 * Binary values in JSON for the application's backend (docs/protocol.md, Webhooks and Hooks):
 * each `Buffer`, typed array or `ArrayBuffer` travels as `{ "$binary": "<standard base64>" }`,
 * both ways.
 */
export interface BinaryJson {
  $binary: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `value` with each binary value (a Buffer, typed array, DataView or ArrayBuffer, as Socket.IO
 * hands attachments over) as `{ "$binary": "<standard base64>" }`, at any depth, ready for
 * JSON. Parts without binary inside are kept as they are, not copied. The depth was bounded when
 * the value was validated (MAX_PAYLOAD_DEPTH).
 */
export function binaryAsBase64(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof ArrayBuffer) return { $binary: Buffer.from(value).toString('base64') };
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { $binary: bytes.toString('base64') };
  }
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    let copy: unknown[] | undefined;
    items.forEach((item, index) => {
      const converted = binaryAsBase64(item);
      if (converted !== item) (copy ??= [...items])[index] = converted;
    });
    return copy ?? items;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const converted = binaryAsBase64(item);
    if (converted !== item) (copy ??= { ...value })[key] = converted;
  }
  return copy ?? value;
}

/**
 * `value` (parsed JSON) with each `{ "$binary": "<base64>" }` as a Buffer, so that a client gets
 * binary as binary. Undefined when a `$binary` is not base64 or the value nests deeper than a
 * client's payload may: the answer is then malformed.
 */
export function withBinary(value: unknown, depth = 1): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_PAYLOAD_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const converted = withBinary(item, depth + 1);
      if (converted === undefined) return undefined;
      items.push(converted);
    }
    return items;
  }
  const entries: [string, unknown][] = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === '$binary') {
    const base64 = entries[0][1];
    return typeof base64 === 'string' && BASE64.test(base64)
      ? Buffer.from(base64, 'base64')
      : undefined;
  }
  const object: Record<string, unknown> = {};
  for (const [key, member] of entries) {
    const converted = withBinary(member, depth + 1);
    if (converted === undefined) return undefined;
    // defineProperty: a key named `__proto__` stays a plain key, as JSON.parse made it.
    Object.defineProperty(object, key, {
      value: converted,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}
