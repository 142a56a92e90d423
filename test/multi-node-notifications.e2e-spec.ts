import { jest } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { Delivery } from '../src/realtime/delivery.js';
import { closeAllClients, connectAs, ok, request } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { bearer, postNotification } from './support/http.js';
import { connectAdmin, uniqueId } from './support/identities.js';
import {
  acknowledgementsReceived,
  closeInboxClients,
  connectWithInbox,
  type Acknowledgement,
} from './support/inbox.js';
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

/**
 * Whatever happens to the node that accepted a notification, or to its broadcast, the node that
 * holds the user's socket offers it again (NOTIFY_ACK_TIMEOUT_MS short here). The user's client
 * refuses each notification the first time it arrives and acknowledges it the second.
 */
describeWithRedis('notifications offered again by the node that holds the user (two nodes)', () => {
  const cluster = useCluster('multi-node-notifications-again', {
    size: 2,
    env: { NOTIFY_API_KEY: API_KEY, NOTIFY_ACK_TIMEOUT_MS: '200' },
  });
  let userId: string;

  beforeEach(() => {
    userId = uniqueId('fay');
  });
  afterEach(() => {
    jest.restoreAllMocks();
    closeInboxClients();
  });

  async function connectUser(url: string, acknowledge: Acknowledgement) {
    const token = await signToken({ sub: userId, name: 'Fay' });
    return connectWithInbox(url, { token }, { acknowledge });
  }

  const invoice = () => ({ target: { userId }, title: 'Invoice', body: 'is ready' });

  it('offers a notification whose broadcast from A to B was lost to the user on B', async () => {
    const [a, b] = cluster.urls;
    const onB = await connectUser(b, 'with { ok: true }');
    // A sends as if the broadcast left, and no acknowledgement ever comes back.
    jest
      .spyOn(cluster.apps[0].get(Delivery), 'sendToEachWithAck')
      .mockResolvedValueOnce({ sent: 1, acknowledged: Promise.resolve(false) });

    const accepted = await postNotification<Sent>(a, invoice(), bearer(API_KEY));

    expect(accepted).toMatchObject({ status: 202, body: { recipients: 1 } });
    expect((await onB.inbox.take()).id).toBe(accepted.body.id);
  });

  it('offers a notification again to the user on B after A, which accepted it, was killed', async () => {
    const onB = await connectUser(cluster.urls[1], 'from the second offer');
    const doomed = await cluster.startProcessNode();

    const accepted = await postNotification<Sent>(doomed.url, invoice(), bearer(API_KEY));
    await doomed.kill('SIGKILL');

    expect(accepted.status).toBe(202);
    // Offered once (by A, unless it died first) and again by B, which gets the acknowledgement.
    expect((await onB.inbox.takeMany(2)).map(({ id }) => id)).toEqual([
      accepted.body.id,
      accepted.body.id,
    ]);
  });
});
