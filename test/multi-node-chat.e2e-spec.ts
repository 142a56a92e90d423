import type { Message, User } from '@switchboard/contract';
import {
  closeAllClients,
  collect,
  connectAs,
  nextEvent,
  ok,
  type TestClient,
} from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { uniqueId } from './support/identities.js';
import { describeWithRedis } from './support/redis-server.js';
import {
  caughtUp,
  history,
  joined,
  newUser,
  nextEvents,
  offsetRange,
  offsetsOf,
  sent,
  sortedById,
  tabsOn,
} from './support/rooms.js';

describeWithRedis('chat across nodes (three nodes over Redis)', () => {
  const cluster = useCluster('multi-node-chat');
  afterEach(() => closeAllClients());

  /** A guest per name, the first on node A, the next on B, then C, joined to `room` in that order. */
  async function guestsAcrossNodes(room: string, ...names: string[]): Promise<TestClient[]> {
    const { urls } = cluster;
    const sockets = await Promise.all(
      names.map((name, index) => connectAs(urls[index % urls.length], name)),
    );
    for (const socket of sockets) await joined(socket, room);
    return sockets;
  }

  async function membersSeenBy(socket: TestClient, room: string): Promise<User[]> {
    return sortedById((await ok<{ members: User[] }>(socket, 'room:members', { room })).members);
  }

  it('sends a message sent on A as chat:message to the members on B and C, not to the sender', async () => {
    const room = uniqueId('chat');
    const [alice, bob, carol] = await guestsAcrossNodes(room, 'alice', 'bob', 'carol');
    const toBob = nextEvent<Message>(bob, 'chat:message');
    const toCarol = nextEvent<Message>(carol, 'chat:message');
    const toAlice = collect<Message>(alice, 'chat:message');

    const message = await sent(alice, room, 'hello from A');

    expect(await toBob).toEqual(message);
    expect(await toCarol).toEqual(message);
    await caughtUp(alice);
    expect(toAlice).toEqual([]);
  });

  it("subscribes only the nodes with a member in a room to the room's channel", async () => {
    const room = uniqueId('dm');
    const channel = `${cluster.keyPrefix}socket.io#/#room:{${room}}#`;
    const redis = await cluster.redis.connectionTo(channel);
    const subscribedNodes = async () =>
      ((await redis.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1];
    try {
      const [alice, bob] = await Promise.all([
        connectAs(cluster.urls[0], 'alice'),
        connectAs(cluster.urls[0], 'bob'),
      ]);
      await joined(alice, room);
      await joined(bob, room);
      expect(await subscribedNodes()).toBe(1);

      const toBob = nextEvent<Message>(bob, 'chat:message');
      const message = await sent(alice, room, 'carried by node A alone');
      expect(await toBob).toEqual(message);

      const carol = await connectAs(cluster.urls[1], 'carol');
      await joined(carol, room);
      expect(await subscribedNodes()).toBe(2);
    } finally {
      await redis.quit();
    }
  });

  it('lists the members present on every node, and announces a joiner to the other nodes', async () => {
    const room = uniqueId('lobby');
    const [alice] = await guestsAcrossNodes(room, 'alice');
    const bob = await connectAs(cluster.urls[1], 'bob');
    // Bob's own announcement travels through Redis: seen first, so that it is not taken for Carol's.
    const bobAnnouncedOnA = nextEvent(alice, 'room:joined');
    await joined(bob, room);
    await bobAnnouncedOnA;
    const carol = await connectAs(cluster.urls[2], 'carol');
    const announcedOnA = nextEvent(alice, 'room:joined');
    const announcedOnB = nextEvent(bob, 'room:joined');

    const { members } = await joined(carol, room);

    const everyone = sortedById([alice.welcome.user, bob.welcome.user, carol.welcome.user]);
    expect(sortedById(members)).toEqual(everyone);
    expect(await announcedOnA).toEqual({ room, user: carol.welcome.user });
    expect(await announcedOnB).toEqual({ room, user: carol.welcome.user });
    expect(await membersSeenBy(alice, room)).toEqual(everyone);
  });

  describe('a user with a tab on A and a tab on B', () => {
    it('is one member: one room:joined for the others, listed once', async () => {
      const alice = newUser('Alice');
      const [tabOnA, tabOnB] = await tabsOn(cluster.urls.slice(0, 2), alice);
      const bob = await connectAs(cluster.urls[2], 'bob');
      const room = uniqueId('lobby');
      await joined(bob, room);
      const joinedSeenByBob = collect(bob, 'room:joined');
      const announced = nextEvent(bob, 'room:joined');

      await joined(tabOnA, room);
      expect(await announced).toEqual({ room, user: alice });
      const { members } = await joined(tabOnB, room);

      const aliceAndBob = sortedById([alice, bob.welcome.user]);
      expect(sortedById(members)).toEqual(aliceAndBob);
      // B's broadcasts reach Bob in the order B sent them: a room:joined for the second tab
      // would arrive before this message.
      const fromTabOnB = nextEvent<Message>(bob, 'chat:message');
      await sent(tabOnB, room, 'the second tab is here');
      await fromTabOnB;
      expect(joinedSeenByBob).toEqual([{ room, user: alice }]);
      expect(await membersSeenBy(bob, room)).toEqual(aliceAndBob);
    });

    it('stays present until the last tab leaves, then one room:left', async () => {
      const alice = newUser('Alice');
      const [tabOnA, tabOnB] = await tabsOn(cluster.urls.slice(0, 2), alice);
      const bob = await connectAs(cluster.urls[2], 'bob');
      const room = uniqueId('lobby');
      // Only the tab on A is in `side`: A sends its room:left there after anything it sent
      // about `room` when that tab left `room` just before.
      const side = uniqueId('side');
      for (const socket of [bob, tabOnA, tabOnB]) await joined(socket, room);
      await joined(bob, side);
      await joined(tabOnA, side);
      const leftSeenByBob = collect(bob, 'room:left');

      await ok(tabOnA, 'room:leave', { room });
      const leftSide = nextEvent(bob, 'room:left');
      await ok(tabOnA, 'room:leave', { room: side });
      await leftSide;
      expect(leftSeenByBob).toEqual([{ room: side, user: alice, reason: 'leave' }]);
      expect(await membersSeenBy(bob, room)).toEqual(sortedById([alice, bob.welcome.user]));

      const leftRoom = nextEvent(bob, 'room:left');
      await ok(tabOnB, 'room:leave', { room });
      expect(await leftRoom).toEqual({ room, user: alice, reason: 'leave' });
      expect(await membersSeenBy(bob, room)).toEqual([bob.welcome.user]);
      expect(leftSeenByBob).toHaveLength(2);
    });
  });

  it('gives 3 × 100 concurrent sends on three nodes the offsets 1..300, received everywhere in offset order', async () => {
    const SENDS_PER_NODE = 100;
    const TOTAL = SENDS_PER_NODE * cluster.urls.length;
    const room = uniqueId('busy');
    // Receivers send nothing, so that every message reaches them as chat:message.
    const receivers = await Promise.all(
      cluster.urls.map((url, index) => connectAs(url, `receiver-${index}`)),
    );
    const senders = await Promise.all(
      cluster.urls.map((url, index) => connectAs(url, `sender-${index}`)),
    );
    for (const socket of [...receivers, ...senders]) await joined(socket, room);
    const toReceivers = receivers.map((receiver) =>
      nextEvents<Message>(receiver, 'chat:message', TOTAL, 20_000),
    );
    const toSenders = senders.map((sender) =>
      nextEvents<Message>(sender, 'chat:message', TOTAL - SENDS_PER_NODE, 20_000),
    );

    const replies = await Promise.all(
      senders.flatMap((sender, senderIndex) =>
        Array.from({ length: SENDS_PER_NODE }, (_, index) =>
          sent(sender, room, `${senderIndex}/${index}`),
        ),
      ),
    );

    const stored = replies.toSorted((a, b) => a.offset - b.offset);
    expect(offsetsOf(stored)).toEqual(offsetRange(1, TOTAL));
    expect(new Set(replies.map((message) => message.id)).size).toBe(TOTAL);
    for (const received of await Promise.all(toReceivers)) expect(received).toEqual(stored);
    // A sender has its own messages in its replies and the others' as chat:message, in order.
    const receivedBySenders = await Promise.all(toSenders);
    senders.forEach((sender, index) => {
      const fromOthers = stored.filter((message) => message.user.id !== sender.welcome.user.id);
      expect(receivedBySenders[index]).toEqual(fromOthers);
    });
    const pages: Message[] = [];
    for (let after = 0; after < TOTAL; after += 100) {
      pages.push(...(await history(receivers[0], { room, after, limit: 100 })).messages);
    }
    expect(pages).toEqual(stored);
  }, 40_000);
});
