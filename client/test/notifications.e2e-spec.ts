import type { Notification, NotificationSent } from '@switchboard/contract';
import { closeAllClients, ok } from '../../test/support/clients.js';
import { connectAdmin, uniqueId } from '../../test/support/identities.js';
import { ROOMS_TEST_ENV } from '../../test/support/rooms.js';
import { useServer } from '../../test/support/server.js';
import {
  closeAllSwitchboards,
  dropConnection,
  nextState,
  openSwitchboard,
} from '../../test/support/switchboards.js';
import { signToken } from '../../test/support/tokens.js';

describe('notifications (client library)', () => {
  const server = useServer(ROOMS_TEST_ENV);
  afterEach(() => {
    closeAllSwitchboards();
    closeAllClients();
  });

  it('hands each notification to the listeners once, drops a redelivered id, and acknowledges it for good', async () => {
    const id = uniqueId('alice');
    const alice = openSwitchboard(server.url, {
      auth: { token: await signToken({ sub: id, name: 'Alice' }) },
    });
    const handled: string[] = [];
    let firstArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    let releaseFirst!: () => void;
    const firstReleased = new Promise<void>((resolve) => (releaseFirst = resolve));
    alice.on('notification', async (notification: Notification) => {
      handled.push(notification.id);
      if (handled.length > 1) return;
      firstArrived();
      // The first one is acknowledged only once its connection is gone: the server redelivers it.
      await firstReleased;
    });
    // The notifications that the server offered, one list per connection.
    const offered: string[][] = [];
    let offeredAgain!: () => void;
    const firstOfferedAgain = new Promise<void>((resolve) => (offeredAgain = resolve));
    alice.on('welcome', () => offered.push([]));
    alice.on('traffic', ({ direction, event, payload, reply }) => {
      if (direction !== 'in' || event !== 'notification' || reply) return;
      offered.at(-1)?.push((payload as Notification).id);
      if (offered.length === 2) offeredAgain();
    });
    await alice.connected();
    const notifier = await connectAdmin(server.url);
    const notify = (title: string) =>
      ok<NotificationSent>(notifier, 'notification:send', {
        target: { userId: id },
        title,
        body: 'body',
      });

    const first = await notify('first');
    await arrived;
    await dropConnection(alice);
    const back = nextState(alice, 'connected');
    releaseFirst();
    await back;
    await firstOfferedAgain;
    // The repeat's acknowledgement went out before this request: the server has it once it replies.
    await alice.request('session:ping');

    await dropConnection(alice);
    await alice.connected();
    const second = await notify('second');
    await alice.request('session:ping');

    expect(handled).toEqual([first.id, second.id]);
    expect(offered).toEqual([[first.id], [first.id], [second.id]]);
  });
});
