import { describe, expect, it } from '@jest/globals';
import { MAX_PAYLOAD_DEPTH } from '../common/payload-validation.js';
import { stringifyWithBinary, withBinary } from './binary-json.js';

describe('binary values in JSON for the backend', () => {
  it('sends each binary value as { $binary } in standard base64', () => {
    const bytes = new Uint8Array([0, 255, 7]);
    expect(
      JSON.parse(stringifyWithBinary({ a: Buffer.from([1, 2]), list: [bytes, bytes.buffer] })),
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
});
