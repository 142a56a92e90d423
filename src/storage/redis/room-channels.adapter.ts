import type { RedisCommands } from './redis-client.js';
import type { Namespace } from 'socket.io';
import {
  Adapter,
  ClusterAdapter,
  MessageType,
  type BroadcastOptions,
  type ClusterMessage,
  type ClusterResponse,
  type PrivateSessionId,
  type Room,
  type SocketId,
  type Session,
} from 'socket.io-adapter';
import { RecoveryLog, type BroadcastPacket, type SessionToPersist } from '../recovery-log.js';
import { shardSubscriberCount, type ChannelSubscriber } from './channel-subscriber.js';
import { ChannelSubscriptions } from './channel-subscriptions.js';
import {
  RoomChannels,
  decodeMessage,
  decodeOptions,
  encodeMessage,
  encodeOptions,
  isNamedRoom,
} from './room-channels.js';

/** Socket.IO's packet type of an event. */
const EVENT_PACKET_TYPE = 2;
/** Messages read per request while a room's missed messages are fetched again. */
const REPAIR_PAGE_SIZE = 100;
/** Broadcasts held for one room during its repair at most; past it they go out at once. */
const HELD_MAX = 10_000;

/**
 * Rooms whose broadcasts of one event carry an offset that grows by one per message (chat rooms
 * and `chat:message`), and where the messages are kept: after the node's subscriptions were away,
 * what a room's sockets here missed is fetched from there and delivered before anything newer.
 */
export interface SequencedRooms {
  readonly event: string;
  /** The room whose offsets a Socket.IO room's broadcasts carry, if it has any. */
  roomOf(socketIoRoom: Room): string | undefined;
  lastOffset(room: string): Promise<number>;
  after(
    room: string,
    after: number,
    limit: number,
  ): Promise<{ messages: { offset: number }[]; hasMore: boolean }>;
}

export interface RoomChannelsOptions {
  /** Publishes (SPUBLISH); any client of the deployment's Redis, a Cluster client on a cluster. */
  publisher: RedisCommands;
  /** Connections of its own (channelSubscriberOf), one Redis or a cluster's masters. */
  subscriber: ChannelSubscriber;
  /** The deployment's channels (RedisKeys.channels), where the stores publish too. */
  channels: RoomChannels;
  /** Broadcasts kept for connection state recovery at most (RECOVERY_BUFFER_PACKETS). */
  recoveryPackets: number;
  sequenced?: SequencedRooms;
}

/**
 * Socket.IO's cluster adapter (socket.io-adapter's ClusterAdapter: its messages and its requests
 * between nodes) over Redis sharded pub/sub, where a node
 * subscribes to the channel of each room it has a socket in: it receives the broadcasts of its
 * rooms and users and those to everyone, and nothing else, so adding nodes adds no work per
 * message to the nodes that do not deliver it. A broadcast to one named room goes to that room's
 * channel; one to everyone, to several rooms or to a socket id goes to every node's channel.
 *
 * Beside what `@socket.io/redis-adapter`'s sharded adapter does, three things the promises need:
 * a join waits until its room's subscription is confirmed (`socket.join` returns that promise),
 * so no message published after the join's read of the offset passes the node by; a room stays
 * subscribed while a disconnected session that was in it may come back, and this node keeps what
 * it delivered for connection state recovery (RecoveryLog: sessions recover on the node they left);
 * and after its subscriptions were away, the node fetches what its sockets missed (SequencedRooms).
 */
export class RoomChannelsAdapter extends ClusterAdapter {
  private readonly channels: RoomChannels;
  private readonly subscriptions: ChannelSubscriptions;
  private readonly recovery: RecoveryLog;
  private readonly publisher: RedisCommands;
  private readonly sequenced: SequencedRooms | undefined;
  private readonly namespace: string;
  /** Per sequenced room subscribed here: the newest offset delivered here. */
  private readonly delivered = new Map<Room, number>();
  /** Per room to repair: what arrived since the subscriptions came back, delivered after the repair. */
  private readonly held = new Map<Room, [BroadcastPacket, BroadcastOptions][]>();
  private readonly repairing = new Set<Room>();

  constructor(nsp: Namespace, options: RoomChannelsOptions) {
    super(nsp);
    this.publisher = options.publisher;
    this.sequenced = options.sequenced;
    this.namespace = nsp.name;
    this.channels = options.channels;
    this.recovery = new RecoveryLog(
      {
        maxDisconnectionMs: nsp.server._opts.connectionStateRecovery?.maxDisconnectionDuration ?? 0,
        maxPackets: options.recoveryPackets,
      },
      (room) => this.released(room),
    );
    this.subscriptions = new ChannelSubscriptions(options.subscriber, {
      renewing: () => this.holdAll(),
      renewed: () => void this.repairAll(),
    });
    void this.subscriptions.add(this.channels.main, (raw) => this.received(raw));
    void this.subscriptions.add(this.channels.ofNode(this.uid), (raw) => {
      const response = decoded<ClusterResponse>(raw);
      if (response !== undefined) this.onResponse(response);
    });
    this.on('create-room', (room: Room) => this.roomCreated(room));
    this.on('delete-room', (room: Room) => this.roomDeleted(room));
  }

  /** The adapter class that Socket.IO's `adapter` option takes. */
  static with(options: RoomChannelsOptions): typeof Adapter {
    return class extends RoomChannelsAdapter {
      constructor(nsp: Namespace) {
        super(nsp, options);
      }
    };
  }

  /** Resolves once every named room among `rooms` is subscribed here; rejects while Redis is away. */
  override addAll(id: SocketId, rooms: Set<Room>): Promise<void> | void {
    void super.addAll(id, rooms);
    const subscriptions: Promise<void>[] = [];
    for (const room of rooms) {
      // Each one asked for when its room was created here; this is that same subscription.
      if (isNamedRoom(room)) subscriptions.push(this.subscribe(room));
    }
    if (subscriptions.length === 0) return;
    const joined = Promise.all(subscriptions).then(() => undefined);
    // Observed: Socket.IO's own joins (a recovered session's rooms) do not wait for it.
    joined.catch(() => undefined);
    return joined;
  }

  override broadcast(packet: BroadcastPacket, opts: BroadcastOptions): Promise<void> {
    // Published first: the other nodes add their own recovery offset, this one adds its own.
    if (opts.flags?.local !== true) {
      this.publishAndReturnOffset({
        type: MessageType.BROADCAST,
        data: { packet, opts: encodeOptions(opts) },
      }).catch(() => undefined);
    }
    this.deliver(packet, opts);
    return Promise.resolve();
  }

  override persistSession(session: SessionToPersist): void {
    this.recovery.persist(session);
  }

  override restoreSession(pid: PrivateSessionId, offset: string): Promise<Session> {
    // Socket.IO reads null as "not recovered", although the type does not say so.
    return Promise.resolve(this.recovery.restore(pid, offset) as Session);
  }

  override close(): void {
    this.recovery.close();
  }

  /**
   * The nodes that answer a request (counting sockets, a server-side emit): those subscribed to
   * every node's channel, as Redis counts them, so that a node that just came or went counts at once.
   */
  override serverCount(): Promise<number> {
    return shardSubscriberCount(this.publisher, this.channels.main);
  }

  protected override doPublish(message: ClusterMessage): Promise<string> {
    return this.publisher.spublish(this.channelOf(message), encodeMessage(message)).then(() => '');
  }

  protected override doPublishResponse(uid: string, response: ClusterResponse): Promise<void> {
    return this.publisher
      .spublish(this.channels.ofNode(uid), encodeMessage(response))
      .then(() => undefined);
  }

  private channelOf(message: ClusterMessage): string {
    if (message.type !== MessageType.BROADCAST || message.data.requestId !== undefined) {
      return this.channels.main;
    }
    // A broadcast awaiting acknowledgements counts the nodes that answer: it needs them all.
    return this.channels.of(message.data.opts.rooms);
  }

  private received(raw: Buffer): void {
    const message = decoded<ClusterMessage>(raw);
    if (message === undefined) return;
    if (
      message.type === MessageType.BROADCAST &&
      message.data.requestId === undefined &&
      message.uid !== this.uid &&
      message.nsp === this.namespace
    ) {
      this.deliver(message.data.packet as BroadcastPacket, decodeOptions(message.data.opts));
      return;
    }
    this.onMessage(message);
  }

  private subscribe(room: Room): Promise<void> {
    return this.subscriptions.add(this.channels.ofRoom(room), (raw) => this.received(raw));
  }

  private roomCreated(room: Room): void {
    if (!isNamedRoom(room)) return;
    const subscription = this.subscribe(room);
    const sequencedRoom = this.sequenced?.roomOf(room);
    if (sequencedRoom === undefined || this.delivered.has(room)) return;
    // Where this node starts: everything newer reaches it, so a repair fetches from there.
    subscription
      .then(() => this.sequenced!.lastOffset(sequencedRoom))
      .then(
        (offset) => {
          if (this.subscriptions.has(this.channels.ofRoom(room))) this.advance(room, offset);
        },
        () => undefined,
      );
  }

  private roomDeleted(room: Room): void {
    // A session that may come back to the room finds what it missed here.
    if (!this.recovery.holds(room)) this.unsubscribe(room);
  }

  private released(room: Room): void {
    if (!this.rooms.has(room)) this.unsubscribe(room);
  }

  private unsubscribe(room: Room): void {
    if (!isNamedRoom(room)) return;
    this.subscriptions.remove(this.channels.ofRoom(room));
    this.delivered.delete(room);
    // No socket left here to deliver what was held to.
    this.held.delete(room);
  }

  private deliver(packet: BroadcastPacket, opts: BroadcastOptions): void {
    const room = opts.rooms.size === 1 ? (opts.rooms.values().next().value as Room) : undefined;
    const held = room === undefined ? undefined : this.held.get(room);
    if (held === undefined) {
      this.deliverNow(packet, opts, room);
      return;
    }
    held.push([packet, opts]);
    if (held.length > HELD_MAX) this.release(room!);
  }

  private deliverNow(
    packet: BroadcastPacket,
    opts: BroadcastOptions,
    room: Room | undefined,
  ): void {
    if (room !== undefined) {
      const offset = this.offsetOf(packet);
      if (offset !== undefined) this.advance(room, offset);
    }
    this.recovery.keep(packet, opts);
    Adapter.prototype.broadcast.call(this, packet, opts);
  }

  /** Also at offset 0: a room whose node delivered nothing yet is repaired too (from 0). */
  private advance(room: Room, offset: number): void {
    const delivered = this.delivered.get(room);
    if (delivered === undefined || offset > delivered) this.delivered.set(room, offset);
  }

  /** The offset of a sequenced event, else undefined. */
  private offsetOf(packet: BroadcastPacket): number | undefined {
    if (this.sequenced === undefined || packet.data[0] !== this.sequenced.event) return undefined;
    const offset = (packet.data[1] as { offset?: unknown } | undefined)?.offset;
    return typeof offset === 'number' ? offset : undefined;
  }

  private holdAll(): void {
    for (const room of this.delivered.keys()) if (!this.held.has(room)) this.held.set(room, []);
  }

  private async repairAll(): Promise<void> {
    await Promise.all([...this.delivered.keys()].map((room) => this.repair(room)));
  }

  /**
   * Delivers what the room's channel carried while this node's subscriptions were away, oldest
   * first; what arrives meanwhile waits, so that the room's sockets get every offset in order.
   */
  private async repair(room: Room): Promise<void> {
    const sequenced = this.sequenced!;
    const sequencedRoom = sequenced.roomOf(room);
    if (sequencedRoom === undefined || this.repairing.has(room)) return;
    this.repairing.add(room);
    if (!this.held.has(room)) this.held.set(room, []);
    const opts: BroadcastOptions = { rooms: new Set([room]), except: new Set(), flags: {} };
    try {
      // Offsets start again at 1 where Redis lost the room's history: all of the new one went past.
      if ((await sequenced.lastOffset(sequencedRoom)) < (this.delivered.get(room) ?? 0)) {
        this.delivered.set(room, 0);
      }
      for (;;) {
        const after = this.delivered.get(room) ?? 0;
        const page = await sequenced.after(sequencedRoom, after, REPAIR_PAGE_SIZE);
        for (const message of page.messages) {
          const packet = { type: EVENT_PACKET_TYPE, data: [sequenced.event, message] };
          this.deliverNow({ ...packet, nsp: this.namespace } as BroadcastPacket, opts, room);
        }
        if (!page.hasMore || page.messages.length === 0) break;
      }
    } catch {
      // Redis went away again: its next return repairs again, from what was delivered by then.
    } finally {
      this.repairing.delete(room);
      this.release(room);
    }
  }

  private release(room: Room): void {
    const held = this.held.get(room);
    if (held === undefined) return;
    this.held.delete(room);
    for (const [packet, opts] of held) {
      const offset = this.offsetOf(packet);
      if (offset !== undefined && offset <= (this.delivered.get(room) ?? 0)) continue;
      this.deliverNow(packet, opts, room);
    }
  }
}

/** A message of the channels, or undefined for one that does not decode (logged by no one: only nodes publish). */
function decoded<T>(raw: Buffer): T | undefined {
  try {
    return decodeMessage(raw) as T;
  } catch {
    return undefined;
  }
}
