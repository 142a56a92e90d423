import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { signatureHeader } from './signature.js';

describe('signatureHeader', () => {
  it('signs "<t>.<body>" with the secret, t in unix seconds', () => {
    const header = signatureHeader('0123456789abcdef', '{"events":[]}', 1_700_000_000_999);
    const expected = createHmac('sha256', '0123456789abcdef')
      .update('1700000000.{"events":[]}')
      .digest('hex');
    expect(header).toBe(`t=1700000000,v1=${expected}`);
  });

  it('differs with the time, so that an old signature does not sign a new try', () => {
    expect(signatureHeader('0123456789abcdef', 'x', 1000)).not.toBe(
      signatureHeader('0123456789abcdef', 'x', 2000),
    );
  });
});
