import type { Redis } from 'ioredis';

/**
 * The sharded pub/sub channels a node listens to, on a subscriber connection of its own, and when
 * each subscription is in force: what is published to a channel reaches a node only once Redis
 * has confirmed its subscription, so a room's join waits for it before it reads the room's offset.
 *
 * The connection is made without an offline queue and without ioredis's own renewal of
 * subscriptions: a subscription asked for while Redis is away fails at once (the join that needs
 * it replies INTERNAL), and after every loss of the connection all the channels wanted are
 * subscribed again here, then `renewed` runs: what was published meanwhile went past this node,
 * and the caller looks for what it missed (`lost` runs when the connection goes, so that it can
 * hold back what arrives between the renewal and the end of that search).
 */
export class ChannelSubscriptions {
  /** Channel → its subscription, settled once Redis confirmed or refused it. */
  private readonly wanted = new Map<string, Promise<void>>();
  private readonly handlers = new Map<string, (message: Buffer) => void>();
  /** Set while the connection is not ready yet or since it was lost (the first ready renews too). */
  private renewalDue: boolean;

  constructor(
    private readonly subscriber: Redis,
    private readonly on: { lost(): void; renewed(): void },
  ) {
    this.renewalDue = subscriber.status !== 'ready';
    subscriber.on('smessageBuffer', (channel: Buffer, message: Buffer) =>
      this.handlers.get(channel.toString())?.(message),
    );
    subscriber.on('close', () => {
      if (this.renewalDue) return;
      this.renewalDue = true;
      this.on.lost();
    });
    subscriber.on('ready', () => {
      if (!this.renewalDue) return;
      this.renewalDue = false;
      void this.renew();
    });
  }

  /** Subscribes to `channel` (once), with `handler` for what arrives on it. */
  add(channel: string, handler: (message: Buffer) => void): Promise<void> {
    const known = this.wanted.get(channel);
    if (known) return known;
    this.handlers.set(channel, handler);
    const subscription = this.subscribe(channel);
    this.wanted.set(channel, subscription);
    return subscription;
  }

  remove(channel: string): void {
    if (!this.wanted.delete(channel)) return;
    this.handlers.delete(channel);
    // Away, the subscription went with the connection: nothing to undo.
    this.subscriber.sunsubscribe(channel).catch(() => undefined);
  }

  /** Whether the subscription to `channel` is wanted (confirmed or not). */
  has(channel: string): boolean {
    return this.wanted.has(channel);
  }

  private subscribe(channel: string): Promise<void> {
    const subscription = this.subscriber.ssubscribe(channel).then(() => undefined);
    // Observed here: a refusal is retried by the next renewal, and the join that waits says it.
    subscription.catch(() => undefined);
    return subscription;
  }

  private async renew(): Promise<void> {
    const channels = [...this.wanted.keys()];
    for (const channel of channels) this.wanted.set(channel, this.subscribe(channel));
    const outcomes = await Promise.allSettled(
      channels.map((channel) => this.wanted.get(channel) ?? Promise.resolve()),
    );
    // Lost again before every channel was confirmed: the next return renews them all again.
    if (outcomes.some((outcome) => outcome.status === 'rejected')) return;
    this.on.renewed();
  }
}
