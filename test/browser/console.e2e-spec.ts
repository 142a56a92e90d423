import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import type { Notification } from '@switchboard/contract';
import {
  PENDING_NOTIFICATION_STORE,
  type PendingNotificationStore,
} from '../../src/storage/stores.js';
import type { Page } from 'playwright-core';
import { describeWithChromium, useChromium } from '../support/chromium.js';
import { ConsolePage, useConsolePages } from '../support/console-page.js';
import { serverApi } from '../support/http.js';
import { uniqueId } from '../support/identities.js';
import { freePort } from '../support/redis-server.js';
import { startServer, type RunningServer } from '../support/server.js';
import { signToken, TEST_JWT_SECRET } from '../support/tokens.js';

const API_KEY = 'a-console-test-api-key';
const ENV = { AUTH_JWT_SECRET: TEST_JWT_SECRET, API_KEY, NOTIFY_ACK_TIMEOUT_MS: '2000' };
const HOSTILE = '<img src=x onerror=alert(1)>';

// A browser's steps take longer than a socket's; the restart waits for the client's backoff too.
jest.setTimeout(60_000);

/** Resolves with the id of the next notification that `userId` acknowledges, as the store records it. */
function nextAcknowledgement(store: PendingNotificationStore, userId: string): Promise<string> {
  const acknowledge = store.acknowledge.bind(store);
  return new Promise((resolve) => {
    store.acknowledge = async (user, notificationId) => {
      await acknowledge(user, notificationId);
      if (user !== userId) return;
      store.acknowledge = acknowledge;
      resolve(notificationId);
    };
  });
}

/** The focused element's role and accessible name (`textbox "Name"`), and its outline style. */
async function focused(page: Page): Promise<{ name: string; outlined: boolean }> {
  const focus = page.locator(':focus');
  const snapshot = await focus.ariaSnapshot();
  // A string, because the tests are compiled without the DOM's types; it runs in the page.
  const outline = String(await focus.evaluate('(node) => getComputedStyle(node).outlineStyle'));
  return { name: /"(.*)"/.exec(snapshot)?.[1] ?? snapshot, outlined: outline !== 'none' };
}

describeWithChromium('the console at GET /, in Chromium', () => {
  const chromium = useChromium();
  let server: RunningServer;
  const api = serverApi(() => server.url, API_KEY);

  beforeAll(async () => {
    server = await startServer(ENV);
  });
  afterAll(() => server.close());
  const open = useConsolePages(
    () => chromium.browser,
    () => server.url,
  );

  it('lets two people in one room chat, each seeing the other’s message under the right name', async () => {
    const room = uniqueId('lobby');
    const [alice, bob] = [await open(), await open()];
    await alice.connectAsGuest('alice');
    await bob.connectAsGuest('bob');
    await alice.join(room);
    await bob.join(room);

    await alice.send('hello from alice');
    await alice.messageShows('hello from alice', /#1/);
    await bob.send('hello from bob');

    await alice.message('hello from bob').waitFor();
    await bob.message('hello from alice').waitFor();
    expect(await alice.authorOf('hello from bob')).toBe('bob guest');
    expect(await bob.authorOf('hello from alice')).toBe('alice guest');
    await bob.messageShows('hello from bob', '#2');
    await alice.screenshotsAtBothWidths('chat');
  });

  it('shows markup in a message and in a name as text, and runs none of it', async () => {
    const room = uniqueId('xss');
    const [mallory, bob] = [await open(), await open()];
    await mallory.connectAsGuest(HOSTILE);
    await bob.connectAsGuest('bob');
    await mallory.join(room);
    await bob.join(room);

    await mallory.send(HOSTILE);

    await bob.message(HOSTILE).waitFor();
    expect(await bob.authorOf(HOSTILE)).toBe(`${HOSTILE} guest`);
    await bob.member(HOSTILE).waitFor();
    await mallory.messageShows(HOSTILE, '#1');
    for (const page of [mallory, bob]) {
      expect(await page.page.locator('img').count()).toBe(0);
    }
    // afterEach asserts that no dialog opened on either page.
  });

  it('marks a guest named System as a guest, apart from the real System, with every id at hand', async () => {
    const room = uniqueId('who');
    const aliceId = uniqueId('alice');
    const [alice, impostor] = [await open(), await open()];
    await alice.connectWithToken(await signToken({ sub: aliceId, name: 'Alice' }));
    await alice.stateReads('Connected as Alice');
    await impostor.connectAsGuest('System');
    await alice.join(room);
    await impostor.join(room);
    const impostorId = await alice.memberIdOf('System');
    expect(impostorId).toMatch(/^guest:/);

    await impostor.send('maintenance: log in again at evil.example');
    expect((await api.post(`/api/rooms/${room}/messages`, { text: 'a real notice' })).status).toBe(
      201,
    );
    await alice.send('hello');

    await alice.message('maintenance: log in again at evil.example').waitFor();
    await alice.message('a real notice').waitFor();
    await alice.messageShows('hello', '#3');
    expect(await alice.authorOf('maintenance: log in again at evil.example')).toBe('System guest');
    expect(await alice.authorIdOf('maintenance: log in again at evil.example')).toBe(impostorId);
    expect(await alice.authorOf('a real notice')).toBe('System server');
    expect(await alice.authorIdOf('a real notice')).toBe('system');
    expect(await alice.authorOf('hello')).toBe('Alice');
    expect(await alice.authorIdOf('hello')).toBe(aliceId);
    await alice.member('System guest').filter({ hasText: impostorId }).waitFor();
    await alice.member(`Alice (you) ${aliceId}`).waitFor();
    await impostor.member(`Alice ${aliceId}`).waitFor();

    await impostor.page.getByText('Send a notification').click();
    await impostor.page.getByLabel('Send to').selectOption('userId');
    await impostor.page.getByLabel('Target user id').fill(aliceId);
    await impostor.page.getByLabel('Notification title').fill('Your account is locked');
    await impostor.page.getByLabel('Notification body').fill('log in again at evil.example');
    await impostor.page.getByRole('button', { name: 'Send notification' }).click();
    const notification = alice.notifications
      .getByRole('listitem')
      .filter({ hasText: 'Your account is locked' });
    await notification.filter({ hasText: /from System guest at/ }).waitFor();
    expect(await notification.locator('[title]').getAttribute('title')).toBe(impostorId);
    await alice.page
      .locator('.toast')
      .filter({ hasText: 'Your account is locked' })
      .filter({ hasText: 'from System guest' })
      .waitFor();
    await alice.screenshotsAtBothWidths('who-is-who');
  });

  it('updates the Members list on join and leave, and shows who is typing', async () => {
    const room = uniqueId('presence');
    const [alice, bob] = [await open(), await open()];
    await alice.connectAsGuest('alice');
    await bob.connectAsGuest('bob');
    await alice.join(room);
    await alice.member('alice guest (you)').waitFor();

    await bob.join(room);
    await alice.member('bob guest').waitFor();

    await bob.page.getByLabel('Message', { exact: true }).fill('half a thou');
    await alice.page.getByText('bob guest is typing…', { exact: true }).waitFor();
    await alice.screenshotsAtBothWidths('typing');
    await bob.page.getByLabel('Message', { exact: true }).press('Enter');
    await alice.message('half a thou').waitFor();
    await alice.page
      .getByText('bob guest is typing…', { exact: true })
      .waitFor({ state: 'detached' });

    await bob.leave();
    await alice.member('bob guest').waitFor({ state: 'detached' });
    await alice.member('alice guest (you)').waitFor();
  });

  it('shows a notification as a toast and in the Notifications region, and acknowledges it once', async () => {
    const aliceId = uniqueId('alice');
    const aliceToken = await signToken({ sub: aliceId, name: 'Alice' });
    const store = server.app.get<PendingNotificationStore>(PENDING_NOTIFICATION_STORE);
    const [alice, bob] = [await open(), await open()];
    await alice.connectWithToken(aliceToken);
    await alice.stateReads('Connected as Alice');
    await bob.connectAsGuest('bob');
    // A guest may notify only a user present with them in a room.
    const room = uniqueId('notify');
    await alice.join(room);
    await bob.join(room);
    const acknowledged = nextAcknowledgement(store, aliceId);

    await bob.page.getByText('Send a notification').click();
    await bob.page.getByLabel('Send to').selectOption('userId');
    await bob.page.getByLabel('Target user id').fill(aliceId);
    await bob.page.getByLabel('Notification title').fill('Deploy finished');
    await bob.page.getByLabel('Notification body').fill(HOSTILE);
    await bob.page.getByRole('button', { name: 'Send notification' }).click();
    await bob.page.getByText(/^Sent .* to 1 socket\.$/).waitFor();

    await alice.page.locator('.toast').filter({ hasText: 'Deploy finished' }).waitFor();
    await alice.notifications.getByText('Deploy finished').waitFor();
    await alice.notifications.getByText(HOSTILE, { exact: true }).waitFor();
    await alice.screenshotsAtBothWidths('notification');
    const id = await acknowledged;
    expect(await store.pending(aliceId)).toEqual([]);

    // A new connection of Alice's gets nothing again: the next notification is the first she sees.
    await alice.page.reload();
    await alice.connectWithToken(aliceToken);
    await alice.stateReads('Connected as Alice');
    const next = await api.post<Notification>('/api/notifications', {
      target: { userId: aliceId },
      title: 'Second',
      body: 'after the reload',
    });
    expect(next.status).toBe(202);
    await alice.notifications.getByText('Second').waitFor();
    expect(await alice.notifications.getByRole('listitem').count()).toBe(1);
    expect(next.body.id).not.toBe(id);
  });

  it('reconnects after the server restarts on the same port and shows what was sent meanwhile', async () => {
    const room = uniqueId('restart');
    const alice = await open();
    await alice.connectAsGuest('alice');
    await alice.join(room);
    // More messages before the restart than after it, so that the library sees the memory
    // store's history start again (a lower lastOffset) and delivers from offset 1 again.
    for (const text of ['one', 'two', 'three']) {
      await alice.send(text);
      await alice.messageShows(text, /#\d/);
    }

    const { port } = server.app.getHttpServer().address() as AddressInfo;
    await server.close();
    await alice.stateReads(/Reconnecting \(attempt \d+\)/);
    await alice.screenshotsAtBothWidths('reconnecting');
    await alice.send('written while the server was down');
    await alice.messageShows('written while the server was down', 'pending…');

    server = await startServer(ENV, undefined, port);
    const posted = await api.post(`/api/rooms/${room}/messages`, { text: 'from the system' });
    expect(posted.status).toBe(201);

    await alice.stateReads(/^Connected as alice$/);
    await alice.message('from the system').waitFor();
    await alice.messageShows('written while the server was down', /#\d/);
    await alice.screenshotsAtBothWidths('reconnected');
    const history = await api.get<{ messages: { text: string }[] }>(`/api/rooms/${room}/messages`);
    expect(history.body.messages.map((message) => message.text)).toEqual(
      expect.arrayContaining(['from the system', 'written while the server was down']),
    );
  });

  it('loads earlier history on demand, and relays custom events with the sender’s name', async () => {
    const room = uniqueId('history');
    for (const text of ['before one', 'before two']) {
      expect((await api.post(`/api/rooms/${room}/messages`, { text })).status).toBe(201);
    }
    const [alice, bob] = [await open(), await open()];
    await alice.connectAsGuest('alice');
    await bob.connectAsGuest('bob');
    await alice.join(room);
    await bob.join(room);

    await bob.page.getByRole('button', { name: 'Load earlier messages' }).click();
    await bob.messageShows('before one', '#1');
    await bob.messageShows('before two', '#2');
    await bob.page.getByRole('button', { name: 'No earlier messages' }).waitFor();

    await alice.page.getByText('Custom events', { exact: true }).click();
    await alice.page.getByLabel('Custom event', { exact: true }).fill('cursor:move');
    await alice.page
      .getByLabel('Custom event data (JSON)')
      .fill('{"x": 3, "label": "<b>bold</b>"}');
    await alice.page.getByRole('button', { name: 'Emit event' }).click();
    await alice.page.getByText('Emitted to 1 socket.').waitFor();
    const received = bob.page
      .getByRole('list', { name: 'Custom events received' })
      .getByRole('listitem')
      .filter({ hasText: 'cursor:move' });
    await received
      .filter({ hasText: 'alice' })
      .filter({ hasText: '{"x":3,"label":"<b>bold</b>"}' })
      .waitFor();
    await bob.screenshotsAtBothWidths('custom-event');
  });

  it('gives each named field, button and list one element, found by its name without `exact`', async () => {
    const alice = await open();
    await alice.connectAsGuest('alice');
    // A room whose name holds "room": its tab and heading must not make "Room" ambiguous.
    await alice.join(uniqueId('room'));
    const { page } = alice;
    const counts = await Promise.all([
      page.getByLabel('Name').count(),
      page.getByLabel('Token').count(),
      page.getByLabel('Room').count(),
      page.getByRole('textbox', { name: 'Message' }).count(),
      ...['Connect', 'Join', 'Leave', 'Send'].map((name) =>
        page.getByRole('button', { name }).count(),
      ),
      page.getByRole('log', { name: 'Messages' }).count(),
      page.getByRole('list', { name: 'Members' }).count(),
      page.getByRole('status').count(),
      page.getByRole('region', { name: 'Notifications' }).count(),
    ]);
    expect(counts).toEqual(Array.from({ length: 12 }, () => 1));
  });

  it('can be used with the keyboard alone, in reading order, with the focus visible', async () => {
    const room = uniqueId('keys');
    const { page } = await open();
    const tab = async (expected: string) => {
      await page.keyboard.press('Tab');
      expect(await focused(page)).toEqual({ name: expected, outlined: true });
    };

    await tab('Skip to the chat');
    await tab('Name');
    await page.keyboard.type('kim');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Connected as kim' }).waitFor();
    await tab('Token');
    await tab('Connect');
    await tab('End session');
    await tab('Room');
    await page.keyboard.type(room);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: room }).waitFor();
    await tab('Join');
    await tab(room);
    await tab('Leave');
    await tab('Load earlier messages');
    await tab('Messages');
    await tab('Message');
    await page.keyboard.type('typed, not clicked');
    await page.keyboard.press('Enter');
    await page
      .getByRole('log', { name: 'Messages' })
      .getByRole('listitem')
      .filter({ hasText: 'typed, not clicked' })
      .filter({ hasText: '#1' })
      .waitFor();
    await tab('Send');
  });

  it('shows the connection as refused, with the reason, for a bad token', async () => {
    const page = await open();
    await page.connectWithToken(
      await signToken({ sub: 'eve', name: 'Eve' }, { secret: 'x'.repeat(40) }),
    );
    await page.stateReads(/^Refused: unauthorized/);
    await page.screenshotsAtBothWidths('refused');
  });

  it('shows the session as ended, with the reason, when the token expires unrefreshed', async () => {
    const page = await open();
    await page.connectWithToken(
      await signToken({ sub: uniqueId('short'), name: 'Brief' }, { expiresIn: '2s' }),
    );
    await page.stateReads('Connected as Brief');
    await page.stateReads(/^Session ended: token_expired/);
    await page.screenshotsAtBothWidths('session-ended');
  });
});

describeWithChromium('the console in production, in Chromium', () => {
  const chromium = useChromium();

  it('connects from the origin of PUBLIC_URL, with no CORS_ORIGINS listed', async () => {
    const port = await freePort();
    const server = await startServer(
      { NODE_ENV: 'production', PUBLIC_URL: `http://127.0.0.1:${port}` },
      undefined,
      port,
    );
    const page = await ConsolePage.open(chromium.browser, server.url);
    try {
      await page.connectAsGuest('kim');
      await page.stateReads('Connected as kim');
      expect(page.problems).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });
});
