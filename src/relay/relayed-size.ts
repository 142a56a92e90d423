import { AppError } from '../common/app-error.js';
import { MAX_PAYLOAD_DEPTH } from '../common/payload-validation.js';

/** Characters that JSON escapes (quotes, backslash, controls, lone surrogates) make a string longer. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * The size of a custom event's `data` as Socket.IO sends it: the UTF-8 JSON text of the
 * non-binary parts plus the byte length of each binary value (which travels as an attachment).
 * One walk that adds up lengths, without building the JSON, and that stops as soon as the total
 * passes `limit` (the result is then some number above it): a big payload costs no more than a
 * small one. Deeper than MAX_PAYLOAD_DEPTH is refused, so that a hostile value cannot blow the stack.
 */
export function relayedSize(data: unknown, limit: number): number {
  return sizeOf(data, limit, 1);
}

/** PAYLOAD_TOO_LARGE when `data` weighs more than `limit` as sent; weighed before anything else. */
export function assertRelayable(data: unknown, limit: number): void {
  if (relayedSize(data, limit) > limit) {
    throw new AppError('PAYLOAD_TOO_LARGE', `data must be at most ${limit} bytes as sent`);
  }
}

function sizeOf(value: unknown, budget: number, depth: number): number {
  switch (typeof value) {
    case 'string':
      return stringSize(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 'null'.length;
    case 'boolean':
      return value ? 'true'.length : 'false'.length;
    case 'object':
      if (value === null) return 'null'.length;
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength;
      if (depth > MAX_PAYLOAD_DEPTH) throw tooDeep();
      return Array.isArray(value)
        ? arraySize(value, budget, depth)
        : objectSize(value as Record<string, unknown>, budget, depth);
    default:
      // undefined, functions and symbols: left out of an object by JSON, `null` in an array.
      return 'null'.length;
  }
}

function arraySize(array: unknown[], budget: number, depth: number): number {
  let size = '[]'.length + Math.max(array.length - 1, 0);
  for (let index = 0; index < array.length && size <= budget; index += 1) {
    size += sizeOf(array[index], budget - size, depth + 1);
  }
  return size;
}

function objectSize(object: Record<string, unknown>, budget: number, depth: number): number {
  let size = '{}'.length;
  let members = 0;
  for (const key of Object.keys(object)) {
    if (size > budget) break;
    const member = object[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') {
      continue;
    }
    // The key, its colon, and the comma before every member but the first.
    size += stringSize(key) + 1 + (members > 0 ? 1 : 0);
    size += sizeOf(member, budget - size, depth + 1);
    members += 1;
  }
  return size;
}

function stringSize(text: string): number {
  return ESCAPED.test(text)
    ? Buffer.byteLength(JSON.stringify(text))
    : Buffer.byteLength(text) + '""'.length;
}

function tooDeep(): AppError {
  return AppError.validation([
    { field: 'data', problems: [`data must not nest deeper than ${MAX_PAYLOAD_DEPTH} levels`] },
  ]);
}
