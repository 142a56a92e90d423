import { clientAddress } from './client-address.js';

describe('clientAddress', () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress('10.0.0.1', '203.0.113.7', 0)).toBe('10.0.0.1');
  });

  it('is the entry the trusted proxies wrote, not what the client put before it', () => {
    expect(clientAddress('10.0.0.1', '198.51.100.1, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', '198.51.100.1, 203.0.113.7, 10.0.0.1', 2)).toBe('203.0.113.7');
  });

  it('is the leftmost entry when there are fewer than the trusted proxies', () => {
    expect(clientAddress('10.0.0.1', '203.0.113.7', 3)).toBe('203.0.113.7');
  });

  it("is the socket's peer without X-Forwarded-For, or with an empty one", () => {
    expect(clientAddress('10.0.0.1', undefined, 1)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', ' , ', 1)).toBe('10.0.0.1');
  });

  it('reads a header sent several times as one list, in order', () => {
    expect(clientAddress('10.0.0.1', ['198.51.100.1', '203.0.113.7'], 1)).toBe('203.0.113.7');
  });
});
