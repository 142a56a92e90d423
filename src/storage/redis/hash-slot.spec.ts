import { hashSlotOf } from './hash-slot.js';

describe('the hash slot of a key', () => {
  it("is Redis Cluster's, by the whole key without a hash tag", () => {
    // Values that CLUSTER KEYSLOT gives.
    expect(hashSlotOf('123456789')).toBe(12_739);
    expect(hashSlotOf('foo')).toBe(12_182);
    expect(hashSlotOf('')).toBe(0);
  });

  it('is that of the hash tag alone when the key has a non-empty one', () => {
    expect(hashSlotOf('p:history:{lobby}')).toBe(hashSlotOf('lobby'));
    expect(hashSlotOf('x{lobby}y{other}')).toBe(hashSlotOf('lobby'));
    expect(hashSlotOf('p:{}:lobby')).toBe(hashSlotOf('p:{}:lobby'));
    expect(hashSlotOf('p:{}:lobby')).not.toBe(hashSlotOf(''));
  });
});
