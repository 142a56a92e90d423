import { nextOfferAt } from './reoffer-schedule.js';

describe('nextOfferAt', () => {
  const seconds = (ms: number) => ms / 1000;

  it('offers again after the ack timeout, then at doubling intervals up to 60 seconds', () => {
    const ackTimeoutMs = 5000;
    const offers = [ackTimeoutMs];
    while (offers.length < 8) {
      const due = offers[offers.length - 1];
      offers.push(nextOfferAt(0, due, due, ackTimeoutMs));
    }
    expect(offers.map(seconds)).toEqual([5, 15, 35, 75, 135, 195, 255, 315]);
  });

  it('doubles from a short ack timeout too, and reaches the 60 seconds', () => {
    const offers = [200];
    while (offers[offers.length - 1] < 200_000) {
      const due = offers[offers.length - 1];
      offers.push(nextOfferAt(0, due, due, 200));
    }
    const intervals = offers.slice(1).map((at, index) => at - offers[index]);
    expect(intervals.slice(0, 5)).toEqual([400, 800, 1600, 3200, 6400]);
    expect(Math.max(...intervals)).toBe(60_000);
  });

  it('counts the next interval from now when the offer came late', () => {
    expect(nextOfferAt(0, 5000, 8000, 5000)).toBe(18_000);
  });

  it('restarts at the ack timeout when the schedule started after the offer was due', () => {
    expect(nextOfferAt(9000, 5000, 9000, 5000)).toBe(14_000);
  });
});
