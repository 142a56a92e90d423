import { HandshakeLimiter } from './handshake-limiter.js';

describe('HandshakeLimiter', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 0;
  });

  it('admits bursts of twice the rate per address, then the rate', () => {
    const limiter = new HandshakeLimiter(2, 100, clock);
    const burst = Array.from({ length: 5 }, () => limiter.tryAdmit('a'));
    expect(burst).toEqual([true, true, true, true, false]);
    now = 500;
    expect([limiter.tryAdmit('a'), limiter.tryAdmit('a')]).toEqual([true, false]);
  });

  it('limits each address on its own', () => {
    const limiter = new HandshakeLimiter(1, 100, clock);
    expect([limiter.tryAdmit('a'), limiter.tryAdmit('a'), limiter.tryAdmit('a')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(limiter.tryAdmit('b')).toBe(true);
  });

  it('remembers at most `maxAddresses`, forgetting the least recently used first', () => {
    const limiter = new HandshakeLimiter(1, 3, clock);
    for (const address of ['a', 'b', 'c']) {
      limiter.tryAdmit(address);
      limiter.tryAdmit(address);
    }
    limiter.tryAdmit('a');
    for (let index = 0; index < 1000; index += 1) limiter.tryAdmit(`attacker-${index}`);
    expect(limiter.size).toBe(3);
  });

  it('forgets addresses whose bucket has refilled as new handshakes come in', () => {
    const limiter = new HandshakeLimiter(1, 1000, clock);
    for (let index = 0; index < 100; index += 1) limiter.tryAdmit(`old-${index}`);
    now = 2000;
    for (let index = 0; index < 100; index += 1) limiter.tryAdmit(`new-${index}`);
    expect(limiter.size).toBe(100);
  });

  it('keeps the state of an address in use, so that its limit holds', () => {
    const limiter = new HandshakeLimiter(1, 2, clock);
    limiter.tryAdmit('a');
    limiter.tryAdmit('a');
    limiter.tryAdmit('b');
    limiter.tryAdmit('a');
    expect(limiter.tryAdmit('a')).toBe(false);
  });
});
