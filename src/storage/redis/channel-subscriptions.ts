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
 * and the caller looks for what it missed (`renewing` runs first, so that it can hold back what
 * arrives between the renewal and the end of that search).
 */
export class ChannelSubscriptions {
  /**
   * Channel → what arrives on it is handed to, and its subscription, settled once Redis confirmed
   * or refused it.
   */
  private readonly wanted = new Map<
    string,
    { handler: (message: Buffer) => void; subscription: Promise<void> }
  >();
  /** Set while the connection is not ready yet or since it was lost (the first ready renews too). */
  private renewalDue: boolean;

  constructor(
    private readonly subscriber: Redis,
    private readonly on: { renewing(): void; renewed(): void },
  ) {
    this.renewalDue = subscriber.status !== 'ready';
    subscriber.on('smessageBuffer', (channel: Buffer, message: Buffer) =>
      this.wanted.get(channel.toString())?.handler(message),
    );
    subscriber.on('close', () => (this.renewalDue = true));
    subscriber.on('ready', () => {
      if (!this.renewalDue) return;
      this.renewalDue = false;
      void this.renew();
    });
  }

  /** Subscribes to `channel` (once), with `handler` for what arrives on it. */
  add(channel: string, handler: (message: Buffer) => void): Promise<void> {
    const known = this.wanted.get(channel);
    if (known) return known.subscription;
    const subscription = this.subscribe(channel);
    this.wanted.set(channel, { handler, subscription });
    return subscription;
  }

  remove(channel: string): void {
    if (!this.wanted.delete(channel)) return;
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
    this.on.renewing();
    const renewals = [...this.wanted].map(([channel, wanted]) => {
      wanted.subscription = this.subscribe(channel);
      return wanted.subscription;
    });
    await Promise.allSettled(renewals);
    // Even when some were refused: what the others missed is due now (a connection lost again
    // before they were confirmed renews them all at its return).
    this.on.renewed();
  }
}
