import type { RoomEvent, UserEvent } from '@switchboard/contract';
import { closeAllClients, nextEvent, ok } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { uniqueId } from './support/identities.js';
import { describeWithRedis } from './support/redis-server.js';
import { joined, newUser, tabsOn } from './support/rooms.js';

describeWithRedis('custom events across nodes (two nodes over one Redis)', () => {
  const cluster = useCluster('multi-node-relay', { size: 2 });
  afterEach(() => closeAllClients());

  it('sends room:event to the tabs on the other node, binary as binary, and counts them', async () => {
    const room = uniqueId('relay');
    const [alice, bob] = [newUser('Alice'), newUser('Bob')];
    const [aliceOnA, aliceOnB] = await tabsOn(cluster.urls, alice);
    const [, bobOnB] = await tabsOn(cluster.urls, bob);
    for (const socket of [aliceOnA, aliceOnB, bobOnB]) await joined(socket, room);
    const toAliceOnB = nextEvent<RoomEvent>(aliceOnB, 'room:event');
    const toBobOnB = nextEvent<RoomEvent>(bobOnB, 'room:event');
    const data = { frame: Buffer.from([7, 8, 9]) };

    expect(await ok(aliceOnA, 'room:emit', { room, event: 'cursor:move', data })).toEqual({
      recipients: 2,
    });
    for (const received of [await toAliceOnB, await toBobOnB]) {
      expect(received).toMatchObject({ room, event: 'cursor:move', data, user: alice });
      expect(Buffer.isBuffer((received.data as typeof data).frame)).toBe(true);
    }
  });

  it('sends user:event to every socket of the user on every node, to a user met on the other node', async () => {
    const room = uniqueId('relay');
    const [alice, bob] = [newUser('Alice'), newUser('Bob')];
    const [aliceOnA] = await tabsOn(cluster.urls.slice(0, 1), alice);
    const bobTabs = await tabsOn(cluster.urls, bob);
    // Alice and Bob meet through Bob's tab on node B only: presence is per user, on every node.
    await joined(aliceOnA, room);
    await joined(bobTabs[1], room);
    const received = bobTabs.map((tab) => nextEvent<UserEvent>(tab, 'user:event'));

    expect(
      await ok(aliceOnA, 'user:emit', {
        userId: bob.id,
        event: 'webrtc:offer',
        data: { sdp: 'v=0' },
      }),
    ).toEqual({ recipients: 2 });
    for (const event of await Promise.all(received)) {
      expect(event).toMatchObject({ event: 'webrtc:offer', data: { sdp: 'v=0' }, from: alice });
    }
  });
});
