import { jest } from '@jest/globals';
import type { ChannelSubscriber, SubscriberEvents } from './channel-subscriber.js';
import { ChannelSubscriptions } from './channel-subscriptions.js';

/** A subscriber whose connections are up or away at the test's word, and that records each request. */
class FakeSubscriber implements ChannelSubscriber {
  ready = true;
  /** Channels whose master is away: asking for them fails. */
  readonly away = new Set<string>();
  readonly asked: string[] = [];
  /** Each channel's master, when the test moved it. */
  readonly places = new Map<string, string>();
  events!: SubscriberEvents;

  placeOf(channel: string): string | undefined {
    return this.places.get(channel);
  }

  subscribe(channel: string): Promise<unknown> {
    this.asked.push(channel);
    return this.away.has(channel) || !this.ready
      ? Promise.reject(new Error('Connection is closed.'))
      : Promise.resolve();
  }
  resubscribe(channel: string): Promise<unknown> {
    return this.subscribe(channel);
  }
  unsubscribe(): Promise<unknown> {
    return Promise.resolve();
  }
  listen(events: SubscriberEvents): void {
    this.events = events;
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ChannelSubscriptions', () => {
  let subscriber: FakeSubscriber;
  let subscriptions: ChannelSubscriptions;
  const calls: string[] = [];

  beforeEach(() => {
    calls.length = 0;
    subscriber = new FakeSubscriber();
    subscriptions = new ChannelSubscriptions(subscriber, {
      renewing: () => calls.push('renewing'),
      renewed: () => calls.push('renewed'),
    });
  });
  const add = (channel: string) => subscriptions.add(channel, () => undefined);

  it('subscribes to a channel once, however many joins ask for it', async () => {
    await add('a');
    await add('a');
    expect(subscriber.asked).toEqual(['a']);
  });

  it('renews only the channels of the lost connection, then runs renewed', async () => {
    await Promise.all(['a', 'b', 'c'].map(add));
    subscriber.asked.length = 0;

    subscriber.events.lost((channel) => channel !== 'b');
    subscriber.events.back();
    await flush();

    expect(subscriber.asked).toEqual(['a', 'c']);
    expect(calls).toEqual(['renewing', 'renewed']);
  });

  it('renews, at the next return, a channel whose slot moved to another master', async () => {
    await Promise.all(['a', 'b'].map(add));
    subscriber.asked.length = 0;

    subscriber.places.set('b', 'elsewhere');
    subscriber.events.back();
    await flush();
    subscriber.events.back();
    await flush();

    expect(subscriber.asked).toEqual(['b']);
    expect(calls).toEqual(['renewing', 'renewed']);
  });

  it('fails a subscription asked while its connection is away, and asks again at the next join', async () => {
    subscriber.away.add('a');
    await expect(add('a')).rejects.toThrow();
    subscriber.away.delete('a');

    await add('a');
    expect(subscriber.asked).toEqual(['a', 'a']);
  });

  it('renews at the next return what a renewal could not subscribe, and nothing without a loss', async () => {
    await Promise.all(['a', 'b'].map(add));
    subscriber.asked.length = 0;
    subscriber.events.lost(() => true);
    subscriber.away.add('a');
    subscriber.events.back();
    await flush();
    expect(subscriber.asked).toEqual(['a', 'b']);

    subscriber.away.delete('a');
    subscriber.events.back();
    await flush();
    subscriber.events.back();
    await flush();

    expect(subscriber.asked).toEqual(['a', 'b', 'a']);
    expect(calls).toEqual(['renewing', 'renewed', 'renewing', 'renewed']);
  });

  it('asks again after a pause, and repairs, a subscription refused while the connections are up', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    try {
      await add('a');
      subscriber.away.add('b');
      await expect(add('b')).rejects.toThrow();
      subscriber.away.delete('b');
      subscriber.asked.length = 0;

      jest.advanceTimersByTime(1000);
      await flush();

      expect(subscriber.asked).toEqual(['b']);
      expect(calls).toEqual(['renewing', 'renewed']);
      jest.advanceTimersByTime(10_000);
      await flush();
      expect(subscriber.asked).toEqual(['b']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('subscribes at the first return what was asked before the connections were ready', async () => {
    subscriber.ready = false;
    subscriptions = new ChannelSubscriptions(subscriber, {
      renewing: () => calls.push('renewing'),
      renewed: () => calls.push('renewed'),
    });
    await expect(add('a')).rejects.toThrow();
    subscriber.ready = true;

    subscriber.events.back();
    await flush();

    expect(subscriber.asked).toEqual(['a', 'a']);
    expect(await add('a')).toBeUndefined();
  });
});
