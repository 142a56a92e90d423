import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { chatRoom } from '@switchboard/contract';
import {
  AdapterNode,
  received,
  SEQUENCED_EVENT,
  until,
} from '../../../test/support/adapter-nodes.js';
import { nextEvent } from '../../../test/support/clients.js';
import {
  describeWithRedis,
  RedisServer,
  uniquePrefix,
} from '../../../test/support/redis-server.js';
import { RedisHistoryStore } from './redis-history.store.js';
import { RedisKeys } from './redis-keys.js';

const LIMITS = { perRoom: 100, rooms: 100, evictIdleMs: 0, newRoomsPerHour: 100 };
const EVENT = SEQUENCED_EVENT;

/** A node's clients on one Redis: the subscriber as RedisConnection makes it. */
function clientsOf(redisUrl: string) {
  const publisher = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl, { enableOfflineQueue: false, autoResubscribe: false });
  return {
    publisher,
    subscriber,
    close: () => {
      publisher.disconnect();
      subscriber.disconnect();
      return Promise.resolve();
    },
  };
}

describeWithRedis('RoomChannelsAdapter (nodes over Redis sharded pub/sub)', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let keys: RedisKeys;
  let history: RedisHistoryStore;
  let nodes: AdapterNode[];
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
      await AdapterNode.start(clientsOf(redisServer.url), keys, history),
      await AdapterNode.start(clientsOf(redisServer.url), keys, history),
    ];
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await Promise.all(nodes.map((node) => node.close()));
  });

  async function connect(node: AdapterNode) {
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

    a.clients.subscriber.disconnect();
    await until(() => a.clients.subscriber.status === 'end');
    await send('lobby', 'two');
    await send('lobby', 'three');
    const renewed = until(async () => (await subscribers(chatRoom('lobby'))) === 1);
    await a.clients.subscriber.connect();
    await renewed;
    await send('lobby', 'four');

    await until(() => messages.length === 4);
    expect(messages.map((message) => (message as { offset: number }).offset)).toEqual([1, 2, 3, 4]);
  });

  /** Drops A's subscriber connection, runs `meanwhile`, and resolves once A subscribed again. */
  async function awayWhile(a: AdapterNode, room: string, meanwhile: () => Promise<unknown>) {
    a.clients.subscriber.disconnect();
    await until(() => a.clients.subscriber.status === 'end');
    await meanwhile();
    const renewed = until(async () => (await subscribers(chatRoom(room))) === 1);
    await a.clients.subscriber.connect();
    await renewed;
  }

  it('repairs a room in which the node had delivered nothing yet', async () => {
    const [a] = nodes;
    const onA = await connect(a);
    const messages = received(onA.client, EVENT);
    await onA.socket.join(chatRoom('quiet'));

    await awayWhile(a, 'quiet', async () => {
      await send('quiet', 'one');
      await send('quiet', 'two');
    });

    await until(() => messages.length === 2);
    expect(messages.map((message) => (message as { offset: number }).offset)).toEqual([1, 2]);
  });

  it("repairs from offset 1 a room whose history Redis lost while the node's subscriptions were away", async () => {
    const [a] = nodes;
    const onA = await connect(a);
    const messages = received(onA.client, EVENT);
    await onA.socket.join(chatRoom('lost'));
    await send('lost', 'one');
    await send('lost', 'two');
    await until(() => messages.length === 2);

    await awayWhile(a, 'lost', async () => {
      await redis.del(keys.history('lost'), keys.lastOffset('lost'), keys.clientMsgIds('lost'));
      await send('lost', 'after the loss');
    });

    await until(() => messages.length === 3);
    expect(messages[2]).toMatchObject({ offset: 1, text: 'after the loss' });
  });
});
