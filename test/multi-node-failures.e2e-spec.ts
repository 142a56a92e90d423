import type { Message, User } from '@switchboard/contract';
import { closeAllClients, collect, connectAs, nextEvent, ok, request } from './support/clients.js';
import { readiness, useCluster } from './support/cluster.js';
import { connectAdmin, connectWithToken, uniqueId } from './support/identities.js';
import { closeInboxClients, connectWithInbox } from './support/inbox.js';
import { describeWithRedis } from './support/redis-server.js';
import {
  failure,
  joined,
  newUser,
  nextEvents,
  offsetsOf,
  sent,
  sortedById,
} from './support/rooms.js';
import { signToken } from './support/tokens.js';

/** The contract's bound on how long a dead node's users stay present. */
const DEAD_NODE_PRESENCE_MS = 10_000;

describeWithRedis('a node that dies without a goodbye', () => {
  // Two nodes here, and the third, the one to kill, in a process of its own.
  const cluster = useCluster('multi-node-crash', { size: 2 });
  afterEach(() => closeAllClients());

  it('has its users leave their rooms with reason "disconnect" within 10 s, and its clients catch up on another node', async () => {
    const [b, c] = cluster.urls;
    const doomed = await cluster.startProcessNode();
    const alice = newUser('Alice');
    const room = uniqueId('room');
    const aliceOnDoomed = await connectWithToken(doomed.url, { sub: alice.id, name: alice.name });
    const [bob, carol] = await Promise.all([connectAs(b, 'bob'), connectAs(c, 'carol')]);
    for (const socket of [aliceOnDoomed, bob, carol]) await joined(socket, room);
    const seenByAlice = nextEvents<Message>(aliceOnDoomed, 'chat:message', 2);
    await sent(bob, room, 'before');
    await sent(carol, room, 'before, too');
    const lastOffsetSeen = Math.max(...offsetsOf(await seenByAlice));

    const leftSeenByBob = collect(bob, 'room:left');
    const leftSeenByCarol = collect(carol, 'room:left');
    const bobSawAliceGo = nextEvent(bob, 'room:left', DEAD_NODE_PRESENCE_MS);
    const carolSawAliceGo = nextEvent(carol, 'room:left', DEAD_NODE_PRESENCE_MS);
    await doomed.kill('SIGKILL');
    const whileAway = [
      await sent(bob, room, 'while Alice was away'),
      await sent(carol, room, 'she will catch up'),
    ];

    const aliceGone = { room, user: alice, reason: 'disconnect' };
    expect(await bobSawAliceGo).toEqual(aliceGone);
    expect(await carolSawAliceGo).toEqual(aliceGone);

    const aliceBack = nextEvent(bob, 'room:joined');
    const aliceOnC = await connectWithToken(c, { sub: alice.id, name: alice.name });
    expect(await joined(aliceOnC, room, lastOffsetSeen)).toMatchObject({
      lastOffset: 4,
      missed: whileAway,
      hasMore: false,
    });
    expect(await aliceBack).toEqual({ room, user: alice });
    expect(leftSeenByBob).toEqual([aliceGone]);
    expect(leftSeenByCarol).toEqual([aliceGone]);
  }, 30_000);
});

describeWithRedis('Redis restarted under running nodes (no persistence)', () => {
  const cluster = useCluster('multi-node-redis-restart', {
    env: { NOTIFY_ACK_TIMEOUT_MS: '500' },
  });
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });

  it('answers /health/ready 503 naming redis while Redis is away, and 200 once it is back', async () => {
    const whileAway = await cluster.stopRedis();

    expect(whileAway.map(({ status, body }) => ({ status, failed: body.failed }))).toEqual(
      cluster.urls.map(() => ({ status: 503, failed: ['redis'] })),
    );
    // Resolves once every node answers 200 again.
    await cluster.startRedis();
  }, 40_000);

  it('keeps a node running, without an unhandled rejection, through everything its clients do while Redis is away', async () => {
    const node = await cluster.startProcessNode();
    const room = uniqueId('room');
    const alice = await connectAs(node.url, 'alice');
    const leaving = await connectAs(node.url, 'leaving');
    for (const socket of [alice, leaving]) await joined(socket, room);
    await cluster.stopRedis();

    const refused = await Promise.all([
      request(alice, 'chat:send', { room, text: 'anyone there?' }),
      request(alice, 'room:join', { room: uniqueId('room') }),
      request(alice, 'chat:history', { room }),
      request(alice, 'notification:send', { target: { room }, title: 't', body: 'b' }),
      request(alice, 'notification:send', { target: { userId: 'someone' }, title: 't', body: 'b' }),
    ]);
    expect(refused.map((reply) => (reply.ok ? 'ok' : reply.error.code))).toEqual(
      refused.map(() => 'INTERNAL'),
    );
    // A socket whose connection drops (its session is saved for recovery), and one that arrives.
    leaving.io.engine.close();
    const arriving = await connectAs(node.url, 'arriving');
    await ok(arriving, 'session:ping');

    await cluster.startRedis();
    await readiness(node.url, 200);
    expect(await ok(alice, 'chat:send', { room, text: 'back' })).toMatchObject({ offset: 1 });
    expect(node.running()).toBe(true);
    expect(node.output()).not.toMatch(/unhandled/i);
    await node.stop();
  }, 40_000);

  it('answers chat:send with INTERNAL within 5 s while Redis is away, and keeps the socket connected', async () => {
    const room = uniqueId('room');
    const alice = await connectAs(cluster.urls[0], 'alice');
    await joined(alice, room);
    await cluster.stopRedis();

    // `request` gives up after 5 s, the contract's bound.
    expect(await request(alice, 'chat:send', { room, text: 'anyone there?' })).toEqual(
      failure('INTERNAL'),
    );
    expect(alice.connected).toBe(true);
    await ok(alice, 'session:ping');
    await cluster.startRedis();
  }, 40_000);

  it('carries chat and user notifications across nodes again once Redis is back', async () => {
    const [a, b, c] = cluster.urls;
    const [alice, bob, carol] = await Promise.all([
      connectAs(a, 'alice'),
      connectAs(b, 'bob'),
      connectAs(c, 'carol'),
    ]);
    const erin = newUser('Erin');
    const erinToken = await signToken({ sub: erin.id, name: erin.name });
    const erinTabs = await Promise.all(
      [b, c].map((url) => connectWithInbox(url, { token: erinToken })),
    );

    await cluster.stopRedis();
    await cluster.startRedis();

    const room = uniqueId('room');
    for (const socket of [alice, bob, carol, erinTabs[0]]) await joined(socket, room);
    const toOthers = [bob, carol].map((socket) => nextEvent<Message>(socket, 'chat:message'));
    const message = await sent(alice, room, 'back again');
    for (const received of await Promise.all(toOthers)) expect(received).toEqual(message);

    const notified = await ok<{ id: string; recipients: number }>(alice, 'notification:send', {
      target: { userId: erin.id },
      title: 'still here',
      body: 'after the restart',
    });
    expect(notified.recipients).toBe(2);
    for (const tab of erinTabs) expect((await tab.inbox.take()).id).toBe(notified.id);
  }, 40_000);

  it('keeps the members of a room in it once Redis is back, although Redis lost its data', async () => {
    const [a, b, c] = cluster.urls;
    const room = uniqueId('room');
    const [alice, bob, carol] = await Promise.all([
      connectAs(a, 'alice'),
      connectAs(b, 'bob'),
      connectAs(c, 'carol'),
    ]);
    await joined(alice, room);
    await joined(bob, room);
    const bobSeesCarol = nextEvent(bob, 'room:joined');
    await joined(carol, room);
    await bobSeesCarol;
    const comingsAndGoings = [collect(bob, 'room:left'), collect(bob, 'room:joined')];

    await cluster.stopRedis();
    await cluster.startRedis();

    // Nobody left the room: its members chat on as soon as every node is ready again.
    const toOthers = [bob, carol].map((socket) => nextEvent<Message>(socket, 'chat:message'));
    const message = await sent(alice, room, 'still in the room?');
    for (const received of await Promise.all(toOthers)) expect(received).toEqual(message);
    const { members } = await ok<{ members: User[] }>(bob, 'room:members', { room });
    expect(sortedById(members)).toEqual(
      sortedById([alice.welcome.user, bob.welcome.user, carol.welcome.user]),
    );
    // Presence was registered again silently: nobody was told of a departure, nor of a return.
    expect(comingsAndGoings).toEqual([[], []]);
  }, 40_000);
});

describeWithRedis('Redis restarted under a node whose user has a notification pending', () => {
  // So long an ack timeout that only the return of Redis makes the node offer it again in time.
  const cluster = useCluster('multi-node-redis-return', {
    size: 1,
    persistent: true,
    env: { NOTIFY_ACK_TIMEOUT_MS: '60000' },
  });
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });

  it('offers its connected users what they have pending once Redis answers again', async () => {
    const [a] = cluster.urls;
    const gus = newUser('Gus');
    const token = await signToken({ sub: gus.id, name: gus.name });
    // Refuses each notification the first time, and acknowledges it when it comes again.
    const gusOnA = await connectWithInbox(a, { token }, { acknowledge: 'from the second offer' });
    const sent = await ok<{ id: string }>(await connectAdmin(a), 'notification:send', {
      target: { userId: gus.id },
      title: 'while Redis restarts',
      body: 'kept in its append-only file',
    });
    expect((await gusOnA.inbox.take()).id).toBe(sent.id);

    await cluster.stopRedis();
    await cluster.startRedis();

    expect((await gusOnA.inbox.take()).id).toBe(sent.id);
    expect(gusOnA.connected).toBe(true);
  }, 40_000);
});
