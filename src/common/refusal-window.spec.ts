import { RefusalWindow } from './refusal-window.js';

describe('RefusalWindow', () => {
  it('tells a flood at the refusal one over the limit within the window', () => {
    const window = new RefusalWindow(3, 5000);
    expect([0, 1, 2].map((at) => window.record(at))).toEqual([false, false, false]);
    expect(window.record(4999)).toBe(true);
  });

  it('forgets refusals older than the window', () => {
    const window = new RefusalWindow(3, 5000);
    for (const at of [0, 1000, 2000]) window.record(at);
    expect([5000, 6000, 7000].map((at) => window.record(at))).toEqual([false, false, false]);
    expect(window.record(9999)).toBe(true);
  });

  it('never calls a steady trickle within the limit a flood', () => {
    const window = new RefusalWindow(2, 1000);
    const verdicts = Array.from({ length: 100 }, (_, index) => window.record(index * 500));
    expect(verdicts).not.toContain(true);
  });
});
