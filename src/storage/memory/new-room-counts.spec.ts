import { NewRoomCounts } from './new-room-counts.js';

const HOUR_START = Date.UTC(2026, 0, 1, 12);
const HOUR_MS = 3_600_000;

describe('NewRoomCounts', () => {
  it('forgets every count when the clock hour turns', () => {
    const counts = new NewRoomCounts(1, 100);
    counts.add('ann', HOUR_START);
    counts.add('bob', HOUR_START + 1);
    expect(counts.allows('ann', HOUR_START + HOUR_MS - 1)).toBe(false);

    expect(counts.allows('ann', HOUR_START + HOUR_MS)).toBe(true);
    expect(counts.size).toBe(0);
  });

  it('counts a write stamped in an hour already past in the current one', () => {
    const counts = new NewRoomCounts(1, 100);
    counts.add('ann', HOUR_START + HOUR_MS);
    counts.add('bob', HOUR_START + HOUR_MS - 1);
    expect(counts.allows('ann', HOUR_START + HOUR_MS)).toBe(false);
    expect(counts.allows('bob', HOUR_START + HOUR_MS)).toBe(false);
  });

  it('keeps at most maxCounters counts, the oldest going first, however many counters come', () => {
    const counts = new NewRoomCounts(1, 3);
    for (let index = 0; index < 1000; index += 1) counts.add(`203.0.113.${index}`, HOUR_START);
    expect(counts.size).toBe(3);
    expect(counts.allows('203.0.113.999', HOUR_START)).toBe(false);
    expect(counts.allows('203.0.113.0', HOUR_START)).toBe(true);
  });
});
