import { closeAllClients, ok, type TestClient } from './support/clients.js';
import { connectAdmin, uniqueId } from './support/identities.js';
import {
  acknowledgementsReceived,
  closeInboxClients,
  connectWithInbox,
  type Acknowledgement,
  type InboxClient,
} from './support/inbox.js';
import { useServer } from './support/server.js';
import { signToken, TEST_JWT_SECRET } from './support/tokens.js';

interface Sent {
  id: string;
  recipients: number;
}

/**
 * Delivery to a user is at-least-once. No test waits for the ack timeout: what was not
 * acknowledged must come again on the user's next connection, whether that comes before the
 * timeout or after it, and the short timeout only keeps the server's waits short.
 */
describe('notification delivery to a user (at-least-once)', () => {
  const server = useServer({ AUTH_JWT_SECRET: TEST_JWT_SECRET, NOTIFY_ACK_TIMEOUT_MS: '500' });
  let sender: TestClient;
  let userId: string;

  beforeEach(async () => {
    userId = uniqueId('henry');
    sender = await connectAdmin(server.url);
  });
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });

  async function connectUser(acknowledge: Acknowledgement = 'with { ok: true }') {
    const token = await signToken({ sub: userId, name: 'Henry' });
    return connectWithInbox(server.url, { token }, { acknowledge });
  }

  function notify(title: string) {
    return ok<Sent>(sender, 'notification:send', { target: { userId }, title, body: title });
  }

  it('keeps notifications for a user who is offline and delivers them, in order, on connection', async () => {
    const sent = [await notify('first'), await notify('second'), await notify('third')];
    expect(sent.map((notification) => notification.recipients)).toEqual([0, 0, 0]);

    const henry = await connectUser();

    const received = await henry.inbox.takeMany(3);
    expect(received.map(({ id, title }) => ({ id, title }))).toEqual([
      { id: sent[0].id, title: 'first' },
      { id: sent[1].id, title: 'second' },
      { id: sent[2].id, title: 'third' },
    ]);
  });

  it('sends again on the next connection, in order, what the user’s socket did not acknowledge', async () => {
    const ignoring = await connectUser('never');
    const sent = [await notify('first'), await notify('second')];
    expect(sent.map((notification) => notification.recipients)).toEqual([1, 1]);
    const ignored = await ignoring.inbox.takeMany(2);
    ignoring.disconnect();

    const henry = await connectUser();

    expect(await henry.inbox.takeMany(2)).toEqual(ignored);
    expect(ignored.map((notification) => notification.id)).toEqual(sent.map(({ id }) => id));
  });

  it('offers what one tab ignores to the user’s next new socket', async () => {
    const ignoringTab = await connectUser('never');
    const sent = await notify('unread');
    await ignoringTab.inbox.take();

    const newTab = await connectUser();

    expect((await newTab.inbox.take()).id).toBe(sent.id);
  });

  /** Takes `count` notifications, sees that the server has their acknowledgements, and leaves. */
  async function readAndLeave(henry: InboxClient, count: number) {
    await henry.inbox.takeMany(count);
    await acknowledgementsReceived(henry);
    henry.disconnect();
  }

  /** Nothing is pending when the first notification a new connection receives is a fresh one. */
  async function expectNothingPending() {
    const again = await connectUser();
    const fresh = await notify('fresh');
    expect((await again.inbox.take()).id).toBe(fresh.id);
  }

  it('never sends again what was acknowledged', async () => {
    const henry = await connectUser();
    await notify('read');
    await readAndLeave(henry, 1);

    await expectNothingPending();
  });

  it('never sends again what was acknowledged after a redelivery', async () => {
    await notify('first');
    await notify('second');
    await readAndLeave(await connectUser(), 2);

    await expectNothingPending();
  });

  it('accepts an acknowledgement with no argument', async () => {
    const henry = await connectUser('with no argument');
    await notify('read');
    await readAndLeave(henry, 1);

    await expectNothingPending();
  });
});

/**
 * A user's notification is settled by the first of their sockets that acknowledges it, not when
 * the slowest one answers or the ack timeout passes. The timeout here is the default (5 s), far
 * longer than the test, so a tab that does not answer keeps the server waiting throughout.
 */
describe('notification delivery to a user with several tabs', () => {
  const server = useServer({ AUTH_JWT_SECRET: TEST_JWT_SECRET });
  let sender: TestClient;
  let userId: string;

  beforeEach(async () => {
    userId = uniqueId('iris');
    sender = await connectAdmin(server.url);
  });
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });

  async function connectTab(acknowledge: Acknowledgement) {
    const token = await signToken({ sub: userId, name: 'Iris' });
    return connectWithInbox(server.url, { token }, { acknowledge });
  }

  /**
   * A tab in the background that does not answer its notifications while the test looks, and
   * answers them all when `answerAll` is called, only so that the server's waits end with the test.
   */
  async function connectSilentTab() {
    const tab = await connectTab('never');
    const callbacks: ((reply: unknown) => void)[] = [];
    tab.on('notification', (_notification: unknown, ack: (reply: unknown) => void) => {
      callbacks.push(ack);
    });
    async function answerAll() {
      for (const ack of callbacks.splice(0)) ack({ ok: true });
      await acknowledgementsReceived(tab);
    }
    return Object.assign(tab, { answerAll });
  }

  function notify(title: string) {
    return ok<Sent>(sender, 'notification:send', { target: { userId }, title, body: title });
  }

  it('does not offer a new tab what one tab acknowledged while another has not answered', async () => {
    const reading = await connectTab('with { ok: true }');
    const silent = await connectSilentTab();
    const read = await notify('read in one tab');
    expect(read.recipients).toBe(2);
    expect((await reading.inbox.take()).id).toBe(read.id);
    expect((await silent.inbox.take()).id).toBe(read.id);
    await acknowledgementsReceived(reading);

    const newTab = await connectTab('with { ok: true }');
    const fresh = await notify('fresh');

    expect(await newTab.inbox.take()).toMatchObject({ id: fresh.id, title: 'fresh' });
    expect((await silent.inbox.take()).id).toBe(fresh.id);
    await silent.answerAll();
  });
});

/**
 * A user who stays connected does not wait for a reconnection: what none of their sockets
 * acknowledged is offered again after NOTIFY_ACK_TIMEOUT_MS (short here), then at doubling
 * intervals. The client refuses each notification the first time and acknowledges it the second.
 */
describe('notification offered again to a user who stays connected', () => {
  const server = useServer({ AUTH_JWT_SECRET: TEST_JWT_SECRET, NOTIFY_ACK_TIMEOUT_MS: '200' });
  let sender: TestClient;
  let userId: string;

  beforeEach(async () => {
    userId = uniqueId('jo');
    sender = await connectAdmin(server.url);
  });
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });

  function notify(title: string) {
    return ok<Sent>(sender, 'notification:send', { target: { userId }, title, body: title });
  }

  it('offers what the socket did not acknowledge again, with the same id, and never again once acknowledged', async () => {
    const token = await signToken({ sub: userId, name: 'Jo' });
    const jo = await connectWithInbox(
      server.url,
      { token },
      { acknowledge: 'from the second offer' },
    );

    const first = await notify('first');
    expect((await jo.inbox.takeMany(2)).map(({ id }) => id)).toEqual([first.id, first.id]);
    await acknowledgementsReceived(jo);

    // The next offer again holds everything pending, oldest first: the acknowledged one is gone.
    const second = await notify('second');
    expect((await jo.inbox.takeMany(2)).map(({ id }) => id)).toEqual([second.id, second.id]);
  });

  it('offers it again to every connected socket of the user', async () => {
    const token = await signToken({ sub: userId, name: 'Jo' });
    const tabs = await Promise.all(
      [1, 2].map(() =>
        connectWithInbox(server.url, { token }, { acknowledge: 'from the second offer' }),
      ),
    );

    const sent = await notify('to both tabs');

    for (const tab of tabs) {
      expect((await tab.inbox.takeMany(2)).map(({ id }) => id)).toEqual([sent.id, sent.id]);
    }
  });
});
