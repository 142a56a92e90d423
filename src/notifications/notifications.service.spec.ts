import { jest } from '@jest/globals';
import { createServices } from '../../test/support/services.js';
import type { FakeDelivery } from '../../test/support/fake-realtime.js';
import type { AppError } from '../common/app-error.js';
import type { Identity, Notification } from '@switchboard/contract';
import { RoomsService } from '../rooms/rooms.service.js';
import type { MemoryPendingNotificationStore } from '../storage/memory/memory-pending-notification.store.js';
import { NotificationsService, type Sender } from './notifications.service.js';

const alice: Identity = { id: 'alice', name: 'Alice', roles: [] };
const bob: Identity = { id: 'bob', name: 'Bob', roles: [] };
const admin: Identity = { id: 'root', name: 'Root', roles: ['admin'] };
const fromAlice: Sender = { kind: 'user', identity: alice, socketId: 'a1' };
const system: Sender = { kind: 'system', user: { id: 'system', name: 'System' } };

describe('NotificationsService', () => {
  let notifications: NotificationsService;
  let delivery: FakeDelivery;
  let pending: MemoryPendingNotificationStore;
  let rooms: RoomsService;

  beforeEach(async () => {
    const services = await createServices();
    ({ delivery, pending } = services);
    notifications = services.moduleRef.get(NotificationsService);
    rooms = services.moduleRef.get(RoomsService);
  });

  /** Lets the acknowledgement callbacks, chained on already settled promises, run. */
  const acknowledgementsSettled = () => new Promise((resolve) => setImmediate(resolve));

  it('sends to a user and forgets the notification once acknowledged', async () => {
    await rooms.join(alice, 'a1', 'lobby');
    await rooms.join(bob, 'b1', 'lobby');
    delivery.socketsPerAudience = 2;
    const result = await notifications.send(fromAlice, {
      target: { userId: 'bob' },
      title: 'Hi',
      body: 'there',
      data: { x: 1 },
    });
    expect(result).toEqual({ id: expect.any(String), recipients: 2 });
    const [sent] = delivery.eventsNamed('notification');
    expect(sent.audience).toEqual({ userId: 'bob' });
    expect(sent.payload).toEqual({
      id: result.id,
      title: 'Hi',
      body: 'there',
      data: { x: 1 },
      ts: expect.any(Number),
      from: { id: 'alice', name: 'Alice' },
    });
    await acknowledgementsSettled();
    expect(await pending.pending('bob')).toEqual([]);
  });

  it('answers a stored notification as accepted when the other nodes cannot be asked in time', async () => {
    jest
      .spyOn(delivery, 'sendToEachWithAck')
      .mockRejectedValueOnce(new Error('timeout reached: only 1 responses received out of 2'));
    const result = await notifications.send(system, {
      target: { userId: 'bob' },
      title: 'stored',
      body: 'b',
    });
    // A failure here would have the caller retry, and store it a second time under a new id.
    expect(result).toEqual({ id: expect.any(String), recipients: 0 });
    expect((await pending.pending('bob')).map((each) => each.id)).toEqual([result.id]);
  });

  it('keeps a notification for an offline user and redelivers it, in order, on their next connection', async () => {
    delivery.socketsPerAudience = 0;
    const first = await notifications.send(system, {
      target: { userId: 'bob' },
      title: 'one',
      body: 'b',
    });
    const second = await notifications.send(system, {
      target: { userId: 'bob' },
      title: 'two',
      body: 'b',
    });
    expect(first.recipients).toBe(0);
    expect((await pending.pending('bob')).map((each) => each.id)).toEqual([first.id, second.id]);

    delivery.socketsPerAudience = 1;
    await notifications.redeliver('bob', ['b1']);
    const redelivered = delivery.eventsNamed('notification');
    expect(redelivered.map((sent) => (sent.payload as Notification).title)).toEqual(['one', 'two']);
    expect(
      redelivered.every((sent) => 'socketId' in sent.audience && sent.audience.socketId === 'b1'),
    ).toBe(true);
    await acknowledgementsSettled();
    expect(await pending.pending('bob')).toEqual([]);
  });

  it('keeps a notification that no socket acknowledged', async () => {
    delivery.acknowledges = false;
    await notifications.send(system, { target: { userId: 'bob' }, title: 't', body: 'b' });
    await acknowledgementsSettled();
    expect(await pending.pending('bob')).toHaveLength(1);
  });

  it('marks notifications from another backend as from system', async () => {
    await notifications.send(system, { target: { userId: 'bob' }, title: 't', body: 'b' });
    expect((delivery.eventsNamed('notification')[0].payload as Notification).from).toEqual({
      id: 'system',
      name: 'System',
    });
  });

  it('lets only a member notify a room, and only an admin notify everyone', async () => {
    await expect(
      notifications.send(fromAlice, { target: { room: 'lobby' }, title: 't', body: 'b' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await rooms.join(alice, 'a1', 'lobby');
    delivery.socketsPerAudience = 3;
    await expect(
      notifications.send(fromAlice, { target: { room: 'lobby' }, title: 't', body: 'b' }),
    ).resolves.toMatchObject({
      recipients: 3,
    });
    await expect(
      notifications.send(fromAlice, { target: { all: true }, title: 't', body: 'b' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      notifications.send(
        { kind: 'user', identity: admin, socketId: 'r1' },
        { target: { all: true }, title: 't', body: 'b' },
      ),
    ).resolves.toMatchObject({ recipients: 3 });
    expect(delivery.eventsNamed('notification').map((sent) => sent.audience)).toEqual([
      { room: 'lobby' },
      { all: true },
    ]);
  });

  describe('to { userId }', () => {
    const toBob = { target: { userId: 'bob' }, title: 't', body: 'b' };

    it('refuses a sender who shares no room with the user as FORBIDDEN, and keeps and sends nothing', async () => {
      await rooms.join(alice, 'a1', 'lobby');
      await rooms.join(bob, 'b1', 'kitchen');

      await expect(notifications.send(fromAlice, toBob)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(await pending.pending('bob')).toEqual([]);
      expect(delivery.eventsNamed('notification')).toEqual([]);
    });

    it('refuses alike whether the user is present elsewhere, offline or unknown', async () => {
      await rooms.join(bob, 'b1', 'kitchen');
      const refusalFor = (userId: string) =>
        notifications.send(fromAlice, { ...toBob, target: { userId } }).then(
          () => undefined,
          ({ code, message }: AppError) => ({ code, message }),
        );

      const [present, unknown] = await Promise.all([refusalFor('bob'), refusalFor('nobody')]);
      expect(present).toMatchObject({ code: 'FORBIDDEN' });
      expect(unknown).toEqual(present);
    });

    it('lets users present in a common room notify each other', async () => {
      await rooms.join(alice, 'a1', 'lobby');
      await rooms.join(bob, 'b1', 'lobby');

      await expect(notifications.send(fromAlice, toBob)).resolves.toMatchObject({ recipients: 1 });
      expect(delivery.eventsNamed('notification').map((sent) => sent.audience)).toEqual([
        { userId: 'bob' },
      ]);
    });

    it('lets the admin role notify any user, present or not', async () => {
      delivery.socketsPerAudience = 0;
      const fromAdmin: Sender = { kind: 'user', identity: admin, socketId: 'r1' };

      await notifications.send(fromAdmin, toBob);
      expect(await pending.pending('bob')).toHaveLength(1);
    });
  });

  it('keeps nothing for room and everyone broadcasts', async () => {
    await notifications.send(system, { target: { all: true }, title: 't', body: 'b' });
    expect(await pending.pending('alice')).toEqual([]);
  });
});
