import { jest } from '@jest/globals';
import { createServices, type FakeStoreConnection } from '../../test/support/services.js';
import type { FakeDelivery, FakeLocalSockets } from '../../test/support/fake-realtime.js';
import type { Notification } from '@switchboard/contract';
import type { MemoryPendingNotificationStore } from '../storage/memory/memory-pending-notification.store.js';
import type { MemoryUserSocketsStore } from '../storage/memory/memory-user-sockets.store.js';
import { NotificationsService, type Sender } from './notifications.service.js';
import { ReofferScheduler } from './reoffer-scheduler.js';

const system: Sender = { kind: 'system', user: { id: 'system', name: 'System' } };
/** The fake clock's start, in ms since the epoch. */
const START = 1_000_000_000;
const ACK_TIMEOUT_MS = 5000;

/** What was offered again to a socket of this node: when (seconds after START), to whom, what. */
interface Offer {
  second: number;
  socketId: string;
  title: string;
}

describe('ReofferScheduler', () => {
  let notifications: NotificationsService;
  let scheduler: ReofferScheduler;
  let delivery: FakeDelivery;
  let localSockets: FakeLocalSockets;
  let pending: MemoryPendingNotificationStore;
  let userSockets: MemoryUserSocketsStore;
  let storeConnection: FakeStoreConnection;
  let offers: Offer[];

  beforeEach(async () => {
    const services = await createServices({ NOTIFY_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS) });
    ({ delivery, localSockets, pending, userSockets, storeConnection } = services);
    notifications = services.moduleRef.get(NotificationsService);
    scheduler = services.moduleRef.get(ReofferScheduler);
    jest.useFakeTimers({ now: START });
    delivery.acknowledges = false;
    localSockets.sockets = [
      { socketId: 'b1', userId: 'bob', userName: 'Bob', connectedAt: START - 60_000 },
    ];
    offers = [];
    const sendHere = delivery.sendHereWithAck.bind(delivery);
    delivery.sendHereWithAck = (socketId, event, payload) => {
      const second = (Date.now() - START) / 1000;
      offers.push({ second, socketId, title: (payload as Notification).title });
      return sendHere(socketId, event, payload);
    };
    scheduler.onApplicationBootstrap();
  });
  afterEach(() => {
    scheduler.beforeApplicationShutdown();
    jest.useRealTimers();
  });

  const notify = (userId: string, title: string) =>
    notifications.send(system, { target: { userId }, title, body: title });
  const secondsOf = (list: Offer[]) => list.map((offer) => offer.second);

  it('offers what no socket acknowledged again after the ack timeout, then at doubling intervals up to 60 s, until one acknowledges', async () => {
    await notify('bob', 'unread');

    await jest.advanceTimersByTimeAsync(300_000);
    expect(secondsOf(offers)).toEqual([5, 15, 35, 75, 135, 195, 255]);

    delivery.acknowledges = true;
    await jest.advanceTimersByTimeAsync(600_000);
    expect(secondsOf(offers)).toEqual([5, 15, 35, 75, 135, 195, 255, 315]);
    expect(await pending.pending('bob')).toEqual([]);
  });

  it('restarts the schedule at each new notification, and offers the older ones with it, oldest first', async () => {
    await notify('bob', 'one');
    await jest.advanceTimersByTimeAsync(100_000);
    await notify('bob', 'two');

    await jest.advanceTimersByTimeAsync(10_000);

    expect(offers.filter((offer) => offer.second >= 100)).toEqual([
      { second: 105, socketId: 'b1', title: 'one' },
      { second: 105, socketId: 'b1', title: 'two' },
    ]);
  });

  it('offers every socket of the user here', async () => {
    localSockets.sockets.push({
      socketId: 'b2',
      userId: 'bob',
      userName: 'Bob',
      connectedAt: START,
    });
    await notify('bob', 'both tabs');

    await jest.advanceTimersByTimeAsync(5000);

    expect(offers.map((offer) => offer.socketId)).toEqual(['b1', 'b2']);
  });

  it('leaves a user with no socket here to their next connection, which restarts the schedule', async () => {
    await notify('carol', 'while away');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(offers).toEqual([]);

    localSockets.sockets.push({
      socketId: 'c1',
      userId: 'carol',
      userName: 'Carol',
      connectedAt: Date.now(),
    });
    await notifications.redeliver('carol', ['c1']);
    await jest.advanceTimersByTimeAsync(20_000);

    expect(secondsOf(offers)).toEqual([60, 65, 75]);
  });

  it('offers every user here what they have pending as soon as the stores answer again, and registers their sockets again', async () => {
    localSockets.sockets.push(
      { socketId: 'b2', userId: 'bob', userName: 'Bob', connectedAt: START },
      { socketId: 'd1', userId: 'dan', userName: 'Dan', connectedAt: START },
    );
    await notify('bob', 'for bob');
    await notify('dan', 'for dan');

    storeConnection.returned();
    await jest.advanceTimersByTimeAsync(0);

    expect(offers).toEqual([
      { second: 0, socketId: 'b1', title: 'for bob' },
      { second: 0, socketId: 'b2', title: 'for bob' },
      { second: 0, socketId: 'd1', title: 'for dan' },
    ]);
    // Bob's two sockets are registered: a third one, at most two, replaces the oldest.
    expect((await userSockets.add({ id: 'bob', name: 'Bob' }, 'b3', 2)).replaced).toEqual(['b1']);
  });
});
