import type { ChannelSubscriber } from './channel-subscriber.js';

/**
 * How long after a refused subscription it is asked again while the connections are up: a
 * refusal without a lost connection (a cluster still settling after a restart) brings no return
 * that would renew it.
 */
const RETRY_MS = 1000;

/** A channel listened to: where what arrives goes, and its subscription. */
interface Wanted {
  handler: (message: Buffer) => void;
  /** Settled once Redis confirmed or refused the last attempt to subscribe. */
  subscription: Promise<void>;
  /** Set once that attempt was refused, or its connection lost: to be subscribed again. */
  due: boolean;
  /** Where that attempt went (ChannelSubscriber.placeOf). */
  place: string | undefined;
}

/**
 * The sharded pub/sub channels a node listens to, on subscriber connections of its own (one Redis,
 * or one per master of a Redis Cluster, see ChannelSubscriber), and when each subscription is in
 * force: what is published to a channel reaches a node only once Redis has confirmed its
 * subscription, so a room's join waits for it before it reads the room's offset.
 *
 * Nothing is queued while a connection is away: a subscription asked for then fails at once (on
 * a cluster, within the command timeout while ioredis connects to that master again; the join that
 * needs it replies INTERNAL), and is asked again by the next join, or after a pause. After every loss of a
 * connection, the channels whose subscriptions went with it (and those whose slot moved to another
 * master) are subscribed again here once subscriptions can be made, then `renewed` runs: what was
 * published meanwhile went past this node, and the caller looks for what it missed (`renewing`
 * runs first, so that it can hold back what arrives between the renewal and the end of that
 * search). Which rooms were behind the lost connection is not told: with one of a cluster's
 * masters lost, the caller looks in every room.
 */
export class ChannelSubscriptions {
  private readonly wanted = new Map<string, Wanted>();
  /** Set while the connections are not ready yet or since one was lost (the first ready renews too). */
  private renewalDue: boolean;
  /** The next renewal of refused subscriptions, while one is due (see RETRY_MS). */
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly subscriber: ChannelSubscriber,
    private readonly on: { renewing(): void; renewed(): void },
  ) {
    this.renewalDue = !subscriber.ready;
    subscriber.listen({
      message: (channel, message) => this.wanted.get(channel.toString())?.handler(message),
      lost: (of) => {
        this.renewalDue = true;
        for (const [channel, wanted] of this.wanted) if (of(channel)) wanted.due = true;
      },
      back: () => {
        this.findMoved();
        if (!this.renewalDue) return;
        this.renewalDue = false;
        void this.renew();
      },
    });
  }

  /** Subscribes to `channel` (once, or again if it was refused or lost), with `handler` for what arrives on it. */
  add(channel: string, handler: (message: Buffer) => void): Promise<void> {
    const known = this.wanted.get(channel);
    if (known === undefined) {
      const wanted: Wanted = {
        handler,
        subscription: Promise.resolve(),
        due: false,
        place: undefined,
      };
      this.wanted.set(channel, wanted);
      return this.subscribe(channel, wanted, false);
    }
    return known.due ? this.subscribe(channel, known, true) : known.subscription;
  }

  remove(channel: string): void {
    if (!this.wanted.delete(channel)) return;
    // Away, the subscription went with the connection: nothing to undo.
    this.subscriber.unsubscribe(channel).catch(() => undefined);
  }

  /** Whether the subscription to `channel` is wanted (confirmed or not). */
  has(channel: string): boolean {
    return this.wanted.has(channel);
  }

  private subscribe(channel: string, wanted: Wanted, again: boolean): Promise<void> {
    const asked = again ? this.subscriber.resubscribe(channel) : this.subscriber.subscribe(channel);
    const subscription = asked.then(() => undefined);
    wanted.subscription = subscription;
    wanted.due = false;
    wanted.place = this.subscriber.placeOf(channel);
    // Observed here: a refusal is retried by the next join or renewal, and the join that waits says it.
    subscription.catch(() => {
      if (wanted.subscription !== subscription) return;
      wanted.due = true;
      this.renewalDue = true;
      this.retrySoon();
    });
    return subscription;
  }

  /**
   * Renews what is due after RETRY_MS, unless a connection is away then (its return renews it):
   * a channel still wanted, such as one whose sockets stayed in their room, gets its subscription
   * and its gap repaired without waiting for another join.
   */
  private retrySoon(): void {
    if (this.retry !== undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.subscriber.ready || !this.renewalDue) return;
      if (![...this.wanted.values()].some((wanted) => wanted.due)) return;
      this.renewalDue = false;
      void this.renew();
    }, RETRY_MS);
    this.retry.unref();
  }

  /**
   * A channel whose slot moved to another master lost what was published there since, as a lost
   * connection would have: it is renewed the same way.
   */
  private findMoved(): void {
    for (const [channel, wanted] of this.wanted) {
      if (wanted.due || this.subscriber.placeOf(channel) === wanted.place) continue;
      wanted.due = true;
      this.renewalDue = true;
    }
  }

  private async renew(): Promise<void> {
    this.on.renewing();
    const renewals = [...this.wanted]
      .filter(([, wanted]) => wanted.due)
      .map(([channel, wanted]) => this.subscribe(channel, wanted, true));
    await Promise.allSettled(renewals);
    // Even when some were refused: what the others missed is due now (those refused are renewed
    // at the next return of their connection, or by the next join).
    this.on.renewed();
  }
}
