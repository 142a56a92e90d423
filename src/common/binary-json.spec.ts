import { describe, expect, it } from '@jest/globals';
import { binaryAsBase64, withBinary } from './binary-json.js';
import { MAX_PAYLOAD_DEPTH } from './payload-validation.js';

describe('binary values in JSON for the backend', () => {
  it('sends each binary value as { $binary } in standard base64', () => {
    const bytes = new Uint8Array([0, 255, 7]);
    expect(
      JSON.parse(
        JSON.stringify(binaryAsBase64({ a: Buffer.from([1, 2]), list: [bytes, bytes.buffer] })),
      ),
    ).toEqual({ a: { $binary: 'AQI=' }, list: [{ $binary: 'AP8H' }, { $binary: 'AP8H' }] });
  });

  it('reads each { $binary } back as a Buffer, leaving other values as they are', () => {
    expect(
      withBinary({ a: { $binary: 'AQI=' }, b: [1, 'x', null], c: { $binary: 'AQI=', d: 1 } }),
    ).toEqual({
      a: Buffer.from([1, 2]),
      b: [1, 'x', null],
      c: { $binary: 'AQI=', d: 1 },
    });
  });

  it('refuses a $binary that is not base64, and nesting deeper than a client may send', () => {
    expect(withBinary({ a: { $binary: '**' } })).toBeUndefined();
    expect(withBinary({ a: { $binary: 3 } })).toBeUndefined();
    let deep: unknown = 1;
    for (let level = 0; level <= MAX_PAYLOAD_DEPTH; level += 1) deep = [deep];
    expect(withBinary(deep)).toBeUndefined();
  });

  it('keeps a key named __proto__ a plain key', () => {
    const read = withBinary(JSON.parse('{"__proto__": {"polluted": true}}')) as object;
    expect(Object.keys(read)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
  });

  it('keeps a value without binary inside as it is, and copies only what holds some', () => {
    const plain = { a: [1, 'two', { three: null }] };
    expect(binaryAsBase64(plain)).toBe(plain);
    const mixed = { plain: plain.a, bytes: new Uint8Array([255]).buffer };
    const converted = binaryAsBase64(mixed) as Record<string, unknown>;
    expect(converted).toEqual({ plain: plain.a, bytes: { $binary: '/w==' } });
    expect(converted.plain).toBe(plain.a);
    expect(mixed.bytes).toBeInstanceOf(ArrayBuffer);
  });

  it('takes only the viewed bytes of a view into a larger buffer', () => {
    const view = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    expect(binaryAsBase64(view)).toEqual({ $binary: Buffer.from([2, 3]).toString('base64') });
  });
});
