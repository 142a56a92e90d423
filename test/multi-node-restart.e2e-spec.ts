import type { Message } from '@switchboard/contract';
import { closeAllClients, connectAs, ok } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { uniqueId } from './support/identities.js';
import { closeInboxClients, connectWithInbox, type Acknowledgement } from './support/inbox.js';
import { describeWithRedis } from './support/redis-server.js';
import { history, joined, newUser, sent } from './support/rooms.js';
import { signToken } from './support/tokens.js';

/**
 * What lives in Redis outlives every node: the nodes are all stopped, Redis itself is restarted
 * (its append-only file on), and new nodes start over the same Redis and key prefix.
 */
describeWithRedis('every node and Redis restarted, over a persistent Redis', () => {
  const cluster = useCluster('multi-node-restart', {
    persistent: true,
    env: { NOTIFY_ACK_TIMEOUT_MS: '500' },
  });
  const room = uniqueId('room');
  const dora = newUser('Dora');
  let before: Message[];
  let unacknowledged: string[];

  async function connectDora(url: string, acknowledge: Acknowledgement) {
    const token = await signToken({ sub: dora.id, name: dora.name });
    return connectWithInbox(url, { token }, { acknowledge });
  }

  beforeAll(async () => {
    const [a, b, c] = cluster.urls;
    const [alice, bob] = await Promise.all([connectAs(a, 'alice'), connectAs(b, 'bob')]);
    await joined(alice, room);
    await joined(bob, room);
    before = [
      await sent(alice, room, 'one'),
      await sent(bob, room, 'two'),
      await sent(alice, room, 'three'),
    ];
    const ignoringDora = await connectDora(c, 'never');
    await joined(ignoringDora, room);
    const notify = (title: string) =>
      ok<{ id: string }>(alice, 'notification:send', {
        target: { userId: dora.id },
        title,
        body: title,
      });
    unacknowledged = [(await notify('first')).id, (await notify('second')).id];
    await ignoringDora.inbox.takeMany(2);
    closeAllClients();
    closeInboxClients();

    await cluster.stopNodes();
    await cluster.redis.restart();
    await cluster.startNodes();
  }, 30_000);
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });

  it('keeps the history of a room and goes on with the next offset', async () => {
    const carol = await connectAs(cluster.urls[2], 'carol');
    expect((await joined(carol, room)).lastOffset).toBe(3);
    expect(await history(carol, { room })).toEqual({ messages: before, hasMore: false });
    expect((await sent(carol, room, 'four')).offset).toBe(4);
  });

  it('delivers the notifications that a user had not acknowledged, in order', async () => {
    const doraBack = await connectDora(cluster.urls[0], 'with { ok: true }');
    const delivered = await doraBack.inbox.takeMany(2);
    expect(delivered.map((notification) => notification.id)).toEqual(unacknowledged);
  });
});
