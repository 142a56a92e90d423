import { RingBuffer } from './ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps items in order until full', () => {
    const buffer = new RingBuffer<number>(3);
    expect([buffer.push(1), buffer.push(2)]).toEqual([undefined, undefined]);
    expect(buffer.length).toBe(2);
    expect(buffer.slice(0, 10)).toEqual([1, 2]);
  });

  it('overwrites the oldest once full and returns it', () => {
    const buffer = new RingBuffer<number>(3);
    for (const item of [1, 2, 3]) buffer.push(item);
    expect(buffer.push(4)).toBe(1);
    expect(buffer.push(5)).toBe(2);
    expect(buffer.length).toBe(3);
    expect(buffer.slice(0, 3)).toEqual([3, 4, 5]);
    expect(buffer.slice(1, 2)).toEqual([4]);
    expect(buffer.slice(-5, 99)).toEqual([3, 4, 5]);
  });
});
