import type { Socket } from 'socket.io-client';
import { closeAllClients, connectAs, ok, request } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { bearer, postNotification } from './support/http.js';
import { connectAdmin, uniqueId } from './support/identities.js';
import { acknowledgementsReceived, closeInboxClients, connectWithInbox } from './support/inbox.js';
import { describeWithRedis } from './support/redis-server.js';
import { inCommonRoom } from './support/rooms.js';
import { signToken } from './support/tokens.js';

const API_KEY = 'an-api-key-for-other-backends';

interface Sent {
  id: string;
  recipients: number;
}

describeWithRedis('notifications to a user across nodes (three nodes over one Redis)', () => {
  const cluster = useCluster('multi-node-notifications', {
    env: { NOTIFY_API_KEY: API_KEY, NOTIFY_ACK_TIMEOUT_MS: '500' },
  });
  let userId: string;

  beforeEach(() => {
    userId = uniqueId('erin');
  });
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });

  async function connectUser(url: string) {
    return connectWithInbox(url, { token: await signToken({ sub: userId, name: 'Erin' }) });
  }

  function notify(sender: Socket, title: string) {
    return ok<Sent>(sender, 'notification:send', { target: { userId }, title, body: title });
  }

  it('delivers notification:send from a socket on A to the user’s sockets on every node, counting them all', async () => {
    const [a, b, c] = cluster.urls;
    const tabs = [await connectUser(a), await connectUser(b), await connectUser(c)];
    const sender = await connectAs(a, 'sender');
    // Present in a common room through the tab on C only: presence counts on every node.
    await inCommonRoom(sender, tabs[2]);

    const sent = await notify(sender, 'hello everywhere');

    expect(sent.recipients).toBe(3);
    for (const tab of tabs) {
      expect(await tab.inbox.take()).toEqual({
        id: sent.id,
        title: 'hello everywhere',
        body: 'hello everywhere',
        ts: expect.any(Number),
        from: sender.welcome.user,
      });
    }
  });

  it('delivers POST /api/notifications on A to the user’s sockets on B and C, counting both', async () => {
    const [a, b, c] = cluster.urls;
    const tabs = [await connectUser(b), await connectUser(c)];

    const response = await postNotification<Sent>(
      a,
      { target: { userId }, title: 'Invoice', body: 'is ready' },
      bearer(API_KEY),
    );

    expect(response).toMatchObject({
      status: 202,
      body: { id: expect.any(String), recipients: 2 },
    });
    for (const tab of tabs) {
      expect(await tab.inbox.take()).toMatchObject({
        id: response.body.id,
        title: 'Invoice',
        from: { id: 'system' },
      });
    }
  });

  it('keeps what an admin on A sent while the user was away, delivers it on C, and not again once C acknowledged it', async () => {
    const [a, b, c] = cluster.urls;
    const sender = await connectAdmin(a);
    const whileAway = await notify(sender, 'while you were away');
    expect(whileAway.recipients).toBe(0);

    const onC = await connectUser(c);
    expect(await onC.inbox.take()).toMatchObject({
      id: whileAway.id,
      title: 'while you were away',
    });
    await acknowledgementsReceived(onC);
    onC.disconnect();

    // Anything still pending would be offered on connection, before a notification sent later.
    const onB = await connectUser(b);
    const fresh = await notify(sender, 'fresh');
    expect((await onB.inbox.take()).id).toBe(fresh.id);
  });

  it('refuses a guest on A who shares no room with the user on B as FORBIDDEN, and keeps nothing for them', async () => {
    const [a, b, c] = cluster.urls;
    const onB = await connectUser(b);
    await inCommonRoom(onB, await connectAs(c, 'friend'));
    const guest = await connectAs(a, 'mallory');
    await inCommonRoom(guest);

    const reply = await request(guest, 'notification:send', {
      target: { userId },
      title: 'Your account is locked',
      body: 'sign in at evil.example',
    });

    expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    onB.disconnect();
    const onC = await connectUser(c);
    const fresh = await notify(await connectAdmin(a), 'fresh');
    expect((await onC.inbox.take()).id).toBe(fresh.id);
  });
});
