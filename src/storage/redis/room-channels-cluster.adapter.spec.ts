import { Redis, type Cluster } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { chatRoom } from '@switchboard/contract';
import {
  AdapterNode,
  received,
  SEQUENCED_EVENT,
  until,
} from '../../../test/support/adapter-nodes.js';
import { describeWithRedisCluster, RedisCluster } from '../../../test/support/redis-cluster.js';
import { uniquePrefix, type RedisServer } from '../../../test/support/redis-server.js';
import type { RedisSettings } from '../../config/redis-settings.js';
import { createLogger } from '../../logging/logger.js';
import { hashSlotOf } from './hash-slot.js';
import { RedisConnection } from './redis-connection.js';
import { RedisHistoryStore } from './redis-history.store.js';
import { RedisKeys } from './redis-keys.js';

const LIMITS = { perRoom: 100, rooms: 100, evictIdleMs: 0, newRoomsPerHour: 100 };

/**
 * The adapter on a real Redis Cluster of three masters, each node with the clients RedisConnection
 * makes of REDIS_CLUSTER_NODES: a room's channel lives on the master of the room's slot.
 */
describeWithRedisCluster('RoomChannelsAdapter on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let redis: Cluster;
  /** A client of each master, by port, for what only that master can tell. */
  const masters = new Map<number, Redis>();
  let keys: RedisKeys;
  let history: RedisHistoryStore;
  let nodes: AdapterNode[];
  const clients: Socket[] = [];
  /** Rooms whose channels are on three different masters. */
  let rooms: string[];

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    redis = cluster.client();
    for (const master of cluster.masters) masters.set(master.port, new Redis(master.url));
  });
  afterAll(async () => {
    await redis?.quit();
    await Promise.all([...masters.values()].map((client) => client.quit()));
    await cluster?.close();
  });
  beforeEach(async () => {
    keys = new RedisKeys(uniquePrefix('cluster-channels'));
    history = new RedisHistoryStore(redis, keys, LIMITS);
    nodes = [];
    rooms = await roomsOnEveryMaster();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await Promise.all(nodes.map((node) => node.close()));
  });

  /** A node of the deployment, with its own RedisConnection (closed by its shutdown). */
  async function startNode(logger = createLogger('silent')): Promise<AdapterNode> {
    const settings: RedisSettings = {
      topology: { kind: 'cluster', nodes: cluster.nodes, url: undefined },
      keyPrefix: keys.prefix,
      waitReplicas: 0,
      waitTimeoutMs: 1000,
    };
    const connection = new RedisConnection(settings, logger);
    const clientsOfNode = {
      publisher: connection.commands,
      subscriber: connection.subscriber,
      close: () => connection.onApplicationShutdown(),
    };
    const node = await AdapterNode.start(clientsOfNode, keys, history);
    nodes.push(node);
    return node;
  }
  async function connect(node: AdapterNode) {
    const connection = await node.connect();
    clients.push(connection.client);
    return connection;
  }
  const channelOf = (room: string) => keys.channels.ofRoom(chatRoom(room));
  const masterOf = (room: string): Promise<RedisServer> => cluster.masterOf(channelOf(room));
  /** The subscribers of the room's channel, as the master of its slot counts them. */
  const subscribers = async (room: string): Promise<number> => {
    const master = masters.get((await masterOf(room)).port)!;
    const [, count] = (await master.call('PUBSUB', 'SHARDNUMSUB', channelOf(room))) as [
      string,
      number,
    ];
    return count;
  };
  async function roomsOnEveryMaster(): Promise<string[]> {
    const byMaster = new Map<number, string>();
    for (let index = 0; byMaster.size < cluster.masters.length; index += 1) {
      const room = `room-${index}`;
      const { port } = await masterOf(room);
      if (!byMaster.has(port)) byMaster.set(port, room);
    }
    return [...byMaster.values()];
  }
  const send = (room: string, text: string) =>
    history.append(
      { id: text, room, user: { id: 'u', name: 'U' }, text, ts: Date.now() },
      { event: SEQUENCED_EVENT, rooms: [chatRoom(room)], except: [] },
    );
  /** Moves the slot of `channel`, with its keys, to another master, as resharding does. */
  async function moveSlotOf(channel: string): Promise<void> {
    const slot = hashSlotOf(channel);
    const fromPort = (await cluster.masterOf(channel)).port;
    const toPort = [...masters.keys()].find((port) => port !== fromPort)!;
    const [from, to] = [masters.get(fromPort)!, masters.get(toPort)!];
    const [fromId, toId] = await Promise.all(
      [from, to].map((client) => client.call('CLUSTER', 'MYID') as Promise<string>),
    );
    await to.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
    await from.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
    const keysOfSlot = (await from.call('CLUSTER', 'GETKEYSINSLOT', slot, 1000)) as string[];
    if (keysOfSlot.length > 0) {
      await from.call('MIGRATE', '127.0.0.1', toPort, '', 0, 5000, 'KEYS', ...keysOfSlot);
    }
    const others = [...masters.values()].filter((client) => client !== from && client !== to);
    for (const client of [to, from, ...others]) {
      await client.call('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
    }
  }
  /** Asked several times: a count from a master other than the main channel's would say 0. */
  async function expectServerCount(node: AdapterNode, count: number): Promise<void> {
    await until(async () => (await node.adapter.serverCount()) === count);
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => node.adapter.serverCount()));
    expect(answers).toEqual([count, count, count, count, count]);
  }

  it('delivers a broadcast to a room only to the nodes with a socket in it, whichever master holds its channel', async () => {
    const [a, b] = [await startNode(), await startNode()];
    const [onA, onB] = [await connect(a), await connect(b)];
    const [x, y] = rooms;
    await onA.socket.join(chatRoom(x));
    await onB.socket.join(chatRoom(y));
    const seenOnA = received(onA.client, 'news');
    const seenOnB = received(onB.client, 'news');

    b.io.to(chatRoom(x)).emit('news', 'x from b');
    a.io.to(chatRoom(y)).emit('news', 'y from a');
    a.io.emit('news', 'everyone');

    await until(() => seenOnA.length === 2 && seenOnB.length === 2);
    expect(seenOnA.sort()).toEqual(['everyone', 'x from b']);
    expect(seenOnB.sort()).toEqual(['everyone', 'y from a']);
    expect([await subscribers(x), await subscribers(y)]).toEqual([1, 1]);
    expect((await masterOf(x)).port).not.toBe((await masterOf(y)).port);
  });

  it('counts exactly the nodes running, as the master of the main channel sees them', async () => {
    const a = await startNode();
    await expectServerCount(a, 1);
    const b = await startNode();
    await expectServerCount(a, 2);
    const c = await startNode();
    await expectServerCount(b, 3);

    nodes.splice(nodes.indexOf(c), 1);
    await c.close();
    await expectServerCount(a, 2);
  });

  it("resolves a join once the room's subscription is confirmed by the master of its slot", async () => {
    const a = await startNode();
    const onA = await connect(a);
    const messages = received(onA.client, SEQUENCED_EVENT);
    for (const room of rooms) {
      await onA.socket.join(chatRoom(room));
      expect(await subscribers(room)).toBe(1);
      await send(room, `to ${room}`);
    }

    await until(() => messages.length === rooms.length);
    expect(messages).toMatchObject(rooms.map((room) => ({ room, offset: 1 })));
  });

  it("renews a master's channels after its subscriber connection was lost, and delivers what was published meanwhile, in offset order", async () => {
    type LogLine = { msg: string; failing?: Record<string, string> };
    const logLines: LogLine[] = [];
    const a = await startNode(
      createLogger('info', {
        write: (line: string) => void logLines.push(JSON.parse(line) as LogLine),
      }),
    );
    const onA = await connect(a);
    const later = await connect(a);
    const messages = received(onA.client, SEQUENCED_EVENT) as { room: string; text: string }[];
    const [x, y] = rooms;
    await onA.socket.join(chatRoom(x));
    await onA.socket.join(chatRoom(y));
    await send(x, 'x1');
    await send(y, 'y1');
    await until(() => messages.length === 2);

    // The master of x refuses new connections: its subscriber connection, once killed, stays away.
    const xMaster = masters.get((await masterOf(x)).port)!;
    const maxClients = (await xMaster.config('GET', 'maxclients'))[1];
    await xMaster.config('SET', 'maxclients', '1');
    try {
      await xMaster.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await until(async () => (await subscribers(x)) === 0);
      await send(x, 'x2');
      await send(x, 'x3');
      // The other masters' channels work on meanwhile.
      await send(y, 'y2');
      await until(() => messages.some(({ text }) => text === 'y2'));
      // A join that needs that master's subscription fails, within the contract's 5 seconds.
      const started = Date.now();
      await expect(later.socket.join(chatRoom(x))).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5000);
      // The node's outage log names the subscriber while that master refuses it.
      await until(() => logLines.some(({ failing }) => failing?.subscriber !== undefined));
    } finally {
      await xMaster.config('SET', 'maxclients', maxClients);
    }
    await until(async () => (await subscribers(x)) === 1, 5000);
    await later.socket.join(chatRoom(x));
    expect(await subscribers(x)).toBe(1);
    await send(x, 'x4');

    await until(() => messages.length === 6);
    const inX = messages.filter(({ room }) => room === x).map(({ text }) => text);
    expect(inX).toEqual(['x1', 'x2', 'x3', 'x4']);
  });

  it("follows a room's channel whose slot moved to another master, and delivers what was published in between", async () => {
    const a = await startNode();
    const onA = await connect(a);
    const messages = received(onA.client, SEQUENCED_EVENT) as { text: string }[];
    const [x] = rooms;
    await onA.socket.join(chatRoom(x));
    await send(x, 'x1');
    await until(() => messages.length === 1);

    await moveSlotOf(channelOf(x));
    await send(x, 'x2');
    // What the subscriber does every SUBSCRIBER_SLOTS_REFRESH_MS.
    await new Promise<void>((resolve, reject) =>
      (a.clients.subscriber as Cluster).refreshSlotsCache((error) =>
        error ? reject(error) : resolve(),
      ),
    );
    await until(() => messages.length === 2, 5000);
    await send(x, 'x3');

    await until(() => messages.length === 3);
    expect(messages.map(({ text }) => text)).toEqual(['x1', 'x2', 'x3']);
    expect(await subscribers(x)).toBe(1);
  });
});
