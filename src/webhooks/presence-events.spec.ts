import { jest } from '@jest/globals';
import { createServices, type ServiceFixture } from '../../test/support/services.js';
import type { User, WebhookEventData, WebhookEventType } from '@switchboard/contract';
import { RoomsService } from '../rooms/rooms.service.js';
import { DepartureClaimer } from './departure-claimer.js';
import { Webhooks } from './webhooks.js';

const alice: User = { id: 'alice', name: 'Alice' };
const bob: User = { id: 'bob', name: 'Bob' };
const DELAY_MS = 1000;
const ON = {
  WEBHOOK_URL: 'http://127.0.0.1:9/hooks',
  WEBHOOK_SECRET: 'a-secret-of-16-chars',
  WEBHOOK_PRESENCE_DELAY_MS: String(DELAY_MS),
};

interface Recorded {
  type: WebhookEventType;
  data: WebhookEventData[WebhookEventType];
  key: string;
}

describe('presence events', () => {
  let services: ServiceFixture;
  let rooms: RoomsService;
  let claimer: DepartureClaimer;
  let recorded: Recorded[];

  async function start(env: Record<string, string> = ON) {
    services = await createServices(env);
    rooms = services.moduleRef.get(RoomsService);
    claimer = services.moduleRef.get(DepartureClaimer);
    recorded = [];
    const webhooks = services.moduleRef.get(Webhooks);
    jest.spyOn(webhooks, 'record').mockImplementation((type, data, key) => {
      recorded.push({ type, data, key });
    });
  }

  /** Claims what is due once `ms` have passed. */
  async function after(ms: number) {
    jest.setSystemTime(Date.now() + ms);
    await claimer.claimDue();
  }

  beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) }));
  afterEach(() => jest.useRealTimers());

  it('tells room.occupied then member.joined at a first presence, in the room partition', async () => {
    await start();
    await rooms.join({ ...alice, roles: ['admin'] }, 'a1', 'lobby');
    await rooms.join(bob, 'b1', 'lobby');
    await rooms.join(alice, 'a2', 'lobby');
    expect(recorded).toEqual([
      { type: 'room.occupied', data: { room: 'lobby' }, key: 'room:lobby' },
      { type: 'member.joined', data: { room: 'lobby', user: alice }, key: 'room:lobby' },
      { type: 'member.joined', data: { room: 'lobby', user: bob }, key: 'room:lobby' },
    ]);
  });

  it('tells member.left with reason leave at once, and room.vacated once the delay passed', async () => {
    await start();
    await rooms.join(alice, 'a1', 'lobby');
    recorded = [];
    await rooms.leave(alice, 'a1', 'lobby');
    expect(recorded.map((event) => event.data)).toEqual([
      { room: 'lobby', user: alice, reason: 'leave' },
    ]);
    await after(DELAY_MS - 1);
    expect(recorded).toHaveLength(1);
    await after(1);
    expect(recorded.slice(1)).toEqual([
      { type: 'room.vacated', data: { room: 'lobby' }, key: 'room:lobby' },
    ]);
    await after(DELAY_MS);
    expect(recorded).toHaveLength(2);
  });

  it('tells member.left with reason disconnect, then room.vacated, once the delay passed', async () => {
    await start();
    await rooms.join(alice, 'a1', 'lobby');
    recorded = [];
    await rooms.disconnected(alice, 'a1');
    expect(recorded).toEqual([]);
    await after(DELAY_MS);
    expect(recorded).toEqual([
      {
        type: 'member.left',
        data: { room: 'lobby', user: alice, reason: 'disconnect' },
        key: 'room:lobby',
      },
      { type: 'room.vacated', data: { room: 'lobby' }, key: 'room:lobby' },
    ]);
  });

  it('tells nothing of a user who disconnects and is back within the delay', async () => {
    await start();
    await rooms.join(alice, 'a1', 'lobby');
    recorded = [];
    await rooms.disconnected(alice, 'a1');
    await after(DELAY_MS - 1);
    await rooms.join(alice, 'a2', 'lobby');
    await after(DELAY_MS);
    expect(recorded).toEqual([]);
  });

  it('tells user.offline with the time the last socket went, once the delay passed', async () => {
    await start();
    const { userSockets } = services;
    expect((await userSockets.add(alice, 'a1', 10)).online).toBe(true);
    const lastSeen = Date.now();
    await userSockets.remove(alice, 'a1');
    await after(DELAY_MS);
    expect(recorded).toEqual([
      { type: 'user.offline', data: { user: alice, lastSeen }, key: 'user:alice' },
    ]);
  });

  it('tells nothing of a presence registered again after the store lost it', async () => {
    await start();
    await rooms.recovered(alice, 'a1', ['lobby'], false);
    expect(recorded).toEqual([]);
  });

  it('schedules nothing while WEBHOOK_EVENTS leaves every presence event out', async () => {
    await start({ ...ON, WEBHOOK_EVENTS: 'message.created' });
    expect(services.departures).toBeNull();
    await rooms.join(alice, 'a1', 'lobby');
    await rooms.leave(alice, 'a1', 'lobby');
    expect(recorded).toEqual([]);
  });

  it('schedules nothing while webhooks are off', async () => {
    await start({});
    expect(services.departures).toBeNull();
    expect((await services.userSockets.add(alice, 'a1', 10)).online).toBe(false);
    await rooms.join(alice, 'a1', 'lobby');
    await rooms.disconnected(alice, 'a1');
    expect(recorded).toEqual([]);
  });
});
