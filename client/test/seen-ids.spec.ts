import { SeenIds } from '../src/seen-ids.js';

describe('SeenIds', () => {
  it('recognises a repeat, and forgets the oldest ids beyond its capacity', () => {
    const seen = new SeenIds(2);
    expect([seen.add('a'), seen.add('a'), seen.add('b'), seen.add('c')]).toEqual([
      true,
      false,
      true,
      true,
    ]);
    expect(seen.add('b')).toBe(false);
    expect(seen.add('a')).toBe(true);
  });
});
