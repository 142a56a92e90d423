import { Cluster, type Redis } from 'ioredis';
import { hashSlotOf } from './hash-slot.js';
import type { RedisCommands } from './redis-client.js';

/** What a ChannelSubscriber tells of its connections. */
export interface SubscriberEvents {
  /** A message published to a subscribed channel (handed to the client's listener as it is). */
  readonly message: (channel: Buffer, message: Buffer) => void;
  /** A connection was lost, and with it the subscriptions of the channels for which `of` holds. */
  lost(of: (channel: string) => boolean): void;
  /** Subscriptions can be made again (after a loss, and when the connections first come up). */
  back(): void;
}

/**
 * The sharded pub/sub subscriptions of a node, as ChannelSubscriptions needs them, on one Redis or
 * on a Redis Cluster: each promise settles once Redis confirmed or refused the (un)subscription,
 * and nothing is renewed behind the caller's back without `lost` and `back` saying so.
 */
export interface ChannelSubscriber {
  /** Whether subscriptions can be made now; if not, `back` comes once they can. */
  readonly ready: boolean;
  subscribe(channel: string): Promise<unknown>;
  /** Subscribes again to a channel whose subscription was lost, refused or moved. */
  resubscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  /**
   * Where `channel`'s subscription is made now (a cluster's master, as `host:port`): a channel
   * subscribed elsewhere than where it is now made moved with its slot, and is subscribed again.
   */
  placeOf(channel: string): string | undefined;
  listen(events: SubscriberEvents): void;
}

/** The ChannelSubscriber of `client`, a connection of its own made for it (see RedisConnection). */
export function channelSubscriberOf(client: RedisCommands): ChannelSubscriber {
  return client instanceof Cluster
    ? new ShardedClusterSubscriber(client)
    : new OneRedisSubscriber(client);
}

/**
 * One connection, made without an offline queue or ioredis's own renewal of subscriptions: every
 * subscription goes with it when it closes, and all can be made again once it is ready.
 */
class OneRedisSubscriber implements ChannelSubscriber {
  constructor(private readonly redis: Redis) {}

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  subscribe(channel: string): Promise<unknown> {
    return this.redis.ssubscribe(channel);
  }

  resubscribe(channel: string): Promise<unknown> {
    return this.redis.ssubscribe(channel);
  }

  unsubscribe(channel: string): Promise<unknown> {
    return this.redis.sunsubscribe(channel);
  }

  /** Always the one connection. */
  placeOf(): undefined {
    return undefined;
  }

  listen(events: SubscriberEvents): void {
    this.redis.on('smessageBuffer', events.message);
    this.redis.on('close', () => events.lost(() => true));
    this.redis.on('ready', () => events.back());
  }
}

/**
 * A Redis Cluster client with `shardedSubscribers` (see redisClusterClientOf): one subscriber
 * connection per master, to which ioredis routes each SSUBSCRIBE by the channel's slot. When one of
 * them ends, ioredis replaces it once it has refreshed the slots, subscribes it again to the
 * channels it knows of that master's slots (without telling when Redis confirmed them) and emits
 * `subscribersReady`: only that master's channels are lost, and they are subscribed again here so
 * that their confirmation is known. A master that cannot be reached makes each attempt end again,
 * which loses its channels again, until it answers or a replica took its slots. Slots moved
 * between masters that stay up are learnt at the client's next refresh of the slots (see
 * RedisConnection), after which ioredis subscribes their channels on their new master, again
 * without telling when: they are subscribed again here too.
 */
class ShardedClusterSubscriber implements ChannelSubscriber {
  constructor(private readonly cluster: Cluster) {}

  get ready(): boolean {
    return this.cluster.status === 'ready';
  }

  subscribe(channel: string): Promise<unknown> {
    return this.cluster.ssubscribe(channel);
  }

  /**
   * ioredis keeps, per slot, every channel each SSUBSCRIBE named, repeats included, until an
   * SUNSUBSCRIBE names it: unsubscribing first keeps that list at one entry per channel, however
   * many renewals. Both go out on the same connection, so the channel ends up subscribed; what is
   * published between the two is among what the renewal's caller looks for (it came before the
   * confirmation).
   */
  resubscribe(channel: string): Promise<unknown> {
    this.cluster.sunsubscribe(channel).catch(() => undefined);
    return this.cluster.ssubscribe(channel);
  }

  unsubscribe(channel: string): Promise<unknown> {
    return this.cluster.sunsubscribe(channel);
  }

  /** The master serving `channel`'s slot, as the client knows it. */
  placeOf(channel: string): string | undefined {
    return masterKeyOf(this.cluster, channel);
  }

  listen(events: SubscriberEvents): void {
    this.cluster.on('smessageBuffer', events.message);
    // Emitted for a command connection too (a node that left the pool), not only for a
    // subscriber: taking it as a loss of that master's channels renews a few too many, never too few.
    this.cluster.on('-node', (node: Redis | null, nodeKey?: string) => {
      const lostKey = nodeKey ?? `${node?.options.host}:${node?.options.port}`;
      events.lost((channel) => (this.placeOf(channel) ?? lostKey) === lostKey);
    });
    // The whole client reconnects: every subscriber connection was closed.
    this.cluster.on('close', () => events.lost(() => true));
    this.cluster.on('ready', () => events.back());
    // Also after the slots moved (ChannelSubscriptions then renews the channels that moved).
    this.cluster.on('subscribersReady', () => events.back());
  }
}

/**
 * How many connections are subscribed to the sharded channel `channel`: PUBSUB SHARDNUMSUB counts
 * only the subscribers of the node asked, so on a cluster it goes to the master of the channel's
 * slot (the one SSUBSCRIBE reaches).
 */
export async function shardSubscriberCount(
  client: RedisCommands,
  channel: string,
): Promise<number> {
  const node = client instanceof Cluster ? masterServing(client, channel) : client;
  const [, count] = (await node.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
  return count;
}

/** The `host:port` of the master that serves `channel`'s slot, as `cluster` knows the slots. */
function masterKeyOf(cluster: Cluster, channel: string): string | undefined {
  return cluster.slots[hashSlotOf(channel)]?.[0];
}

function masterServing(cluster: Cluster, channel: string): Redis {
  const key = masterKeyOf(cluster, channel);
  const master = cluster
    .nodes('master')
    .find(({ options }) => `${options.host}:${options.port}` === key);
  if (master === undefined) throw new Error(`no known master serves the slot of ${channel}`);
  return master;
}
