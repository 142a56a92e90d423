import fc from 'fast-check';
import { AppError } from '../common/app-error.js';
import { MAX_PAYLOAD_DEPTH } from '../common/payload-validation.js';
import { relayedSize } from './relayed-size.js';

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('relayedSize', () => {
  it('is the byte length of the JSON text for any JSON value', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 5 }),
        (value) => relayedSize(value, Infinity) === jsonBytes(value),
      ),
    );
  });

  it('counts escapes, multi-byte characters and lone surrogates as JSON writes them', () => {
    for (const text of ['"quoted"\\', 'line\nbreak\u0001', 'héllo 👋', '\ud800 alone']) {
      expect(relayedSize({ [text]: text }, Infinity)).toBe(jsonBytes({ [text]: text }));
    }
  });

  it('leaves out undefined members as JSON does, and writes them as null in arrays', () => {
    const value = { kept: 1, dropped: undefined, list: [undefined, 2] };
    expect(relayedSize(value, Infinity)).toBe(jsonBytes(value));
  });

  it('counts each binary value by its byte length, wherever it is', () => {
    const nested = { frame: Buffer.alloc(1000), parts: [new Uint8Array(200), new ArrayBuffer(30)] };
    expect(relayedSize(nested, Infinity)).toBe('{"frame":,"parts":[,]}'.length + 1230);
    expect(relayedSize(new Uint8Array(new ArrayBuffer(64), 16, 8), Infinity)).toBe(8);
  });

  it('stops early above the limit with a size above it', () => {
    const big = Array.from({ length: 100_000 }, () => 'x'.repeat(100));
    expect(relayedSize(big, 1000)).toBeGreaterThan(1000);
    expect(relayedSize({ a: 'x'.repeat(2000), b: [1, 2] }, 1000)).toBeGreaterThan(1000);
  });

  it(`refuses data nested deeper than ${MAX_PAYLOAD_DEPTH} levels as VALIDATION_FAILED`, () => {
    let deep: unknown = 'bottom';
    for (let level = 0; level < 10_000; level += 1) deep = [deep];
    expect(() => relayedSize(deep, Infinity)).toThrow(
      new AppError('VALIDATION_FAILED', 'the payload is not valid'),
    );
    let fine: unknown = 'bottom';
    for (let level = 0; level < MAX_PAYLOAD_DEPTH; level += 1) fine = { deeper: fine };
    expect(relayedSize(fine, Infinity)).toBe(jsonBytes(fine));
  });
});
