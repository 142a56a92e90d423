import type { Message } from '@switchboard/contract';
import { closeAllClients, connectAs, nextEvent, ok } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { useHookBackend } from './support/hook-backend.js';
import { uniqueId } from './support/identities.js';
import { describeWithRedis } from './support/redis-server.js';
import { joined, newUser, sent, tabsOn } from './support/rooms.js';

describeWithRedis('hooks on two nodes over one Redis', () => {
  const env: Record<string, string> = {};
  const hooks = useHookBackend(env, ['publish', 'rpc', 'join']);
  const cluster = useCluster('multi-node-hooks', { size: 2, env });
  afterEach(() => closeAllClients());

  it('answers a clientMsgId retried on the other node with the stored message, asking once', async () => {
    hooks.backend.answer('/publish', () => ({ body: { allow: true, text: 'cleaned' } }));
    const room = uniqueId('moderated');
    const alice = newUser('Alice');
    const [onA, onB] = await tabsOn(cluster.urls, alice);
    const bob = await connectAs(cluster.urls[1], 'Bob');
    for (const socket of [onA, onB, bob]) await joined(socket, room);
    const toBob = nextEvent<Message>(bob, 'chat:message');
    const asked = hooks.backend.receivedAt('/publish').length;

    const first = await sent(onA, room, 'original', 'm-1');
    const retried = await sent(onB, room, 'original', 'm-1');

    expect(first.text).toBe('cleaned');
    expect(retried).toEqual(first);
    expect(await toBob).toEqual(first);
    expect(hooks.backend.receivedAt('/publish')).toHaveLength(asked + 1);
  });

  it('answers rpc and asks the join hook from either node', async () => {
    hooks.backend.answer('/rpc', ({ body }) => ({ body: { data: { method: body.method } } }));
    hooks.backend.answer('/join', () => ({ body: { allow: true } }));
    const room = uniqueId('private:hooked');

    for (const url of cluster.urls) {
      const socket = await connectAs(url, 'Carol');
      expect(await ok(socket, 'rpc', { method: 'where' })).toEqual({ method: 'where' });
      await joined(socket, room);
    }
  });
});
