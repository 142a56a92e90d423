import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { chatRoom } from '@switchboard/contract';
import { nextEvent } from '../../../test/support/clients.js';
import {
  describeWithRedis,
  RedisServer,
  uniquePrefix,
} from '../../../test/support/redis-server.js';
import { channelSubscriberOf } from './channel-subscriber.js';
import { RedisHistoryStore } from './redis-history.store.js';
import { RedisKeys } from './redis-keys.js';
import { RoomChannelsAdapter } from './room-channels.adapter.js';

const LIMITS = { perRoom: 100, rooms: 100, evictIdleMs: 0, newRoomsPerHour: 100 };
const EVENT = 'chat:message';

/** One node: a Socket.IO server on the adapter, with its own Redis clients. */
class Node {
  readonly publisher: Redis;
  readonly subscriber: Redis;
  readonly io: Server;
  private constructor(redisUrl: string, keys: RedisKeys, history: RedisHistoryStore) {
    this.publisher = new Redis(redisUrl);
    this.subscriber = new Redis(redisUrl, { enableOfflineQueue: false, autoResubscribe: false });
    this.io = new Server(createServer(), {
      adapter: RoomChannelsAdapter.with({
        publisher: this.publisher,
        subscriber: channelSubscriberOf(this.subscriber),
        channels: keys.channels,
        recoveryPackets: 100,
        sequenced: {
          event: EVENT,
          roomOf: (room) => /^room:\{(.+)\}$/.exec(room)?.[1],
          lastOffset: (room) => history.lastOffset(room),
          after: (room, after, limit) => history.after(room, after, limit),
        },
      }),
      connectionStateRecovery: { maxDisconnectionDuration: 60_000 },
    });
  }

  static async start(redisUrl: string, keys: RedisKeys, history: RedisHistoryStore) {
    const node = new Node(redisUrl, keys, history);
    const http = node.io.httpServer;
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    await once(node.subscriber, 'ready');
    return node;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.io.httpServer.address() as AddressInfo).port}`;
  }

  /** A client connected to this node, with its socket on the server. */
  async connect(): Promise<{ client: Socket; socket: ServerSocket }> {
    const connected = once(this.io, 'connection') as Promise<[ServerSocket]>;
    const client = io(this.url, { transports: ['websocket'], forceNew: true });
    const [socket] = await connected;
    return { client, socket };
  }

  async close(): Promise<void> {
    await this.io.close();
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}

/** The events `client` receives, by name, in order. */
function received(client: Socket, event: string): unknown[] {
  const events: unknown[] = [];
  client.on(event, (payload: unknown) => events.push(payload));
  return events;
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let tries = 0; !(await condition()); tries += 1) {
    if (tries > 200) throw new Error('the condition did not hold within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeWithRedis('RoomChannelsAdapter (nodes over Redis sharded pub/sub)', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let keys: RedisKeys;
  let history: RedisHistoryStore;
  let nodes: Node[];
  const clients: Socket[] = [];

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
  });
  afterAll(async () => {
    await redis.quit();
    await redisServer.close();
  });
  beforeEach(async () => {
    keys = new RedisKeys(uniquePrefix('channels'));
    history = new RedisHistoryStore(redis, keys, LIMITS);
    nodes = [
      await Node.start(redisServer.url, keys, history),
      await Node.start(redisServer.url, keys, history),
    ];
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await Promise.all(nodes.map((node) => node.close()));
  });

  async function connect(node: Node) {
    const connection = await node.connect();
    clients.push(connection.client);
    return connection;
  }
  const subscribers = async (room: string): Promise<number> => {
    const [, count] = (await redis.call('PUBSUB', 'SHARDNUMSUB', keys.channels.ofRoom(room))) as [
      string,
      number,
    ];
    return count;
  };
  const send = (room: string, text: string) =>
    history.append(
      { id: text, room, user: { id: 'u', name: 'U' }, text, ts: Date.now() },
      { event: EVENT, rooms: [chatRoom(room)], except: [] },
    );

  it("subscribes a node to a room's channel only while it has a socket in the room", async () => {
    const [a, b] = nodes;
    const onA = await connect(a);
    await onA.socket.join(chatRoom('lobby'));
    expect(await subscribers(chatRoom('lobby'))).toBe(1);

    const onB = await connect(b);
    await onB.socket.join(chatRoom('lobby'));
    expect(await subscribers(chatRoom('lobby'))).toBe(2);

    await onB.socket.leave(chatRoom('lobby'));
    await until(async () => (await subscribers(chatRoom('lobby'))) === 1);
  });

  it('delivers a broadcast to a room on every node with a socket in it, and to no other', async () => {
    const [a, b] = nodes;
    const onA = await connect(a);
    const onB = await connect(b);
    await onA.socket.join(chatRoom('lobby'));
    const seenOnA = received(onA.client, 'news');
    const seenOnB = received(onB.client, 'news');

    b.io.to(chatRoom('lobby')).emit('news', 'from b');
    await until(() => seenOnA.length === 1);
    expect(seenOnA[0]).toBe('from b');
    expect(seenOnB).toEqual([]);
  });

  it("resolves a socket's join once the room's messages reach the node: the next message arrives", async () => {
    const [a] = nodes;
    const onA = await connect(a);
    const messages = received(onA.client, EVENT);
    await onA.socket.join(chatRoom('lobby'));
    await send('lobby', 'first');

    await until(() => messages.length === 1);
    expect(messages[0]).toMatchObject({ offset: 1, text: 'first' });
  });

  it('keeps a room subscribed for a session that dropped, and gives it back what it missed on the same node', async () => {
    const [a] = nodes;
    const onA = await connect(a);
    const messages = received(onA.client, EVENT);
    await onA.socket.join(chatRoom('lobby'));
    await send('lobby', 'seen');
    await until(() => messages.length === 1);

    const dropped = nextEvent(onA.client, 'disconnect');
    onA.socket.conn.close();
    await dropped;
    expect(await subscribers(chatRoom('lobby'))).toBe(1);
    await send('lobby', 'missed');
    await nextEvent(onA.client, 'connect');

    expect(onA.client.recovered).toBe(true);
    await until(() => messages.length === 2);
    expect(messages).toMatchObject([{ text: 'seen' }, { text: 'missed' }]);
  });

  it('delivers what was published while its subscriptions were away, in offset order, before anything newer', async () => {
    const [a] = nodes;
    const onA = await connect(a);
    const messages = received(onA.client, EVENT);
    await onA.socket.join(chatRoom('lobby'));
    await send('lobby', 'one');
    await until(() => messages.length === 1);

    a.subscriber.disconnect();
    await until(() => a.subscriber.status === 'end');
    await send('lobby', 'two');
    await send('lobby', 'three');
    const renewed = until(async () => (await subscribers(chatRoom('lobby'))) === 1);
    await a.subscriber.connect();
    await renewed;
    await send('lobby', 'four');

    await until(() => messages.length === 4);
    expect(messages.map((message) => (message as { offset: number }).offset)).toEqual([1, 2, 3, 4]);
  });
});
