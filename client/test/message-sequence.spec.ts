import type { Message } from '@switchboard/contract';
import { MessageSequence } from '../src/message-sequence.js';

function message(offset: number, id = `m${offset}`): Message {
  return { id, room: 'lobby', offset, user: { id: 'u', name: 'U' }, text: `#${offset}`, ts: 0 };
}

function sequenceFrom(startAfter = 0) {
  const delivered: number[] = [];
  const sequence = new MessageSequence((m) => delivered.push(m.offset), startAfter);
  return { sequence, delivered };
}

describe('MessageSequence', () => {
  it('delivers consecutive offsets at once and drops a duplicate', () => {
    const { sequence, delivered } = sequenceFrom();
    for (const offset of [1, 2, 2, 1, 3]) sequence.accept(message(offset));
    expect(delivered).toEqual([1, 2, 3]);
    expect(sequence.lastOffset).toBe(3);
    expect(sequence.lastMessageId).toBe('m3');
  });

  it('holds a message past a gap until the gap is filled, then delivers in offset order', () => {
    const { sequence, delivered } = sequenceFrom(4);
    sequence.accept(message(7));
    sequence.accept(message(6));
    expect(delivered).toEqual([]);
    expect(sequence.hasGap).toBe(true);
    sequence.accept(message(5));
    expect(delivered).toEqual([5, 6, 7]);
    expect(sequence.hasGap).toBe(false);
  });

  it('moves past what a history page shows to be gone from the server', () => {
    const { sequence, delivered } = sequenceFrom(2);
    sequence.accept(message(9));
    sequence.acceptPage([message(8), message(9), message(10)]);
    expect(delivered).toEqual([8, 9, 10]);
  });

  it('ignores an empty page, and delivers what it holds when told nothing fills the gap', () => {
    const { sequence, delivered } = sequenceFrom(2);
    sequence.accept(message(5));
    sequence.acceptPage([]);
    expect(delivered).toEqual([]);
    sequence.skipToHeld();
    expect(delivered).toEqual([5]);
  });

  it('starts again from offset 1 after a reset', () => {
    const { sequence, delivered } = sequenceFrom();
    for (const offset of [1, 2, 3]) sequence.accept(message(offset));
    sequence.accept(message(5));
    sequence.reset();
    expect(sequence.hasGap).toBe(false);
    sequence.accept(message(1, 'new-1'));
    expect(delivered).toEqual([1, 2, 3, 1]);
    expect(sequence.lastMessageId).toBe('new-1');
  });
});
