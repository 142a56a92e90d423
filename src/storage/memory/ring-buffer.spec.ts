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

  it('reads an item by its place from the oldest, and removes the oldest', () => {
    const buffer = new RingBuffer<number>(3);
    for (const item of [1, 2, 3, 4]) buffer.push(item);
    expect([buffer.at(0), buffer.at(2), buffer.at(3), buffer.at(-1)]).toEqual([
      2,
      4,
      undefined,
      undefined,
    ]);
    expect(buffer.shift()).toBe(2);
    expect(buffer.length).toBe(2);
    buffer.push(5);
    buffer.push(6);
    expect(buffer.slice(0, 3)).toEqual([4, 5, 6]);
    expect([buffer.shift(), buffer.shift(), buffer.shift(), buffer.shift()]).toEqual([
      4,
      5,
      6,
      undefined,
    ]);
  });
});
