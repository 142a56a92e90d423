import { MAX_PAYLOAD_DEPTH } from '../common/payload-validation.js';

/**
 * Binary values in JSON for the application's backend (docs/protocol.md, Hooks): each `Buffer`,
 * typed array or `ArrayBuffer` travels as `{ "$binary": "<standard base64>" }`, both ways.
 */
export interface BinaryJson {
  $binary: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The JSON text of `value` with each binary value as `{ "$binary": … }`. */
export function stringifyWithBinary(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, converted: unknown) {
    // `converted` is what `toJSON` made of it (a Buffer's `{ type, data }`): the holder has the original.
    const original = this[key];
    if (ArrayBuffer.isView(original)) {
      return {
        $binary: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString(
          'base64',
        ),
      };
    }
    if (original instanceof ArrayBuffer)
      return { $binary: Buffer.from(original).toString('base64') };
    return converted;
  });
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
