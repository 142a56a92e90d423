import { ConnectHook } from '../hooks/connect-hook.js';
import { JoinHook } from '../hooks/join-hook.js';
import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { pino } from 'pino';
import { FakeDelivery, FakeLocalSockets } from '../../test/support/fake-realtime.js';
import { Authenticator } from '../auth/authenticator.js';
import { RoomGrants } from '../auth/room-grants.js';
import { AppConfig, loadConfig } from '../config/app-config.js';
import type { User } from '@switchboard/contract';
import { APP_LOGGER, createLogger } from '../logging/logger.js';
import { Delivery } from '../realtime/delivery.js';
import { LocalSockets } from '../realtime/local-sockets.js';
import { MemoryHistoryStore } from '../storage/memory/memory-history.store.js';
import { MemoryPresenceStore } from '../storage/memory/memory-presence.store.js';
import { OUTAGE_LOG_INTERVAL_MS, RedisOutageLog } from '../storage/redis/redis-outage-log.js';
import {
  HISTORY_STORE,
  PRESENCE_STORE,
  type Departure,
  type HeartbeatOutcome,
} from '../storage/stores.js';
import { NODE_TIMEOUT_MS } from '../storage/stores.js';
import { PresenceEvents } from '../webhooks/presence-events.js';
import { PresenceKeeper } from './presence-keeper.js';
import { RoomsService } from './rooms.service.js';

const alice: User = { id: 'alice', name: 'Alice' };
const bob: User = { id: 'bob', name: 'Bob' };

/** Memory presence that answers heartbeats and reaping as a test scripts them. */
class ScriptedPresence extends MemoryPresenceStore {
  outcome: HeartbeatOutcome = 'registered';
  departures: Departure[] = [];
  failure?: Error;

  override heartbeat(): Promise<HeartbeatOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    const outcome = this.outcome;
    this.outcome = 'registered';
    return Promise.resolve(outcome);
  }

  override reapDeadNodes(): Promise<Departure[]> {
    const departures = this.departures;
    this.departures = [];
    return Promise.resolve(departures);
  }
}

describe('PresenceKeeper', () => {
  let keeper: PresenceKeeper;
  let presence: ScriptedPresence;
  let delivery: FakeDelivery;
  let localSockets: FakeLocalSockets;
  /** The messages of the lines that the node wrote about Redis. */
  let outageLines: string[];

  beforeEach(async () => {
    presence = new ScriptedPresence();
    delivery = new FakeDelivery();
    localSockets = new FakeLocalSockets();
    outageLines = [];
    const outageLogger = createLogger('info', {
      write: (line: string) => void outageLines.push((JSON.parse(line) as { msg: string }).msg),
    });
    const moduleRef = await Test.createTestingModule({
      providers: [
        PresenceKeeper,
        RoomsService,
        RoomGrants,
        Authenticator,
        // With HOOK_JOIN_URL unset, as here, the join hook is never asked.
        { provide: JoinHook, useValue: { enabled: false } },
        { provide: ConnectHook, useValue: { enabled: false } },
        { provide: PRESENCE_STORE, useValue: presence },
        {
          provide: HISTORY_STORE,
          useValue: new MemoryHistoryStore({
            perRoom: 10,
            rooms: 10,
            evictIdleMs: 0,
            newRoomsPerHour: 10,
          }),
        },
        { provide: Delivery, useValue: delivery },
        { provide: LocalSockets, useValue: localSockets },
        { provide: AppConfig, useValue: loadConfig({}) },
        { provide: APP_LOGGER, useValue: pino({ level: 'silent' }) },
        { provide: RedisOutageLog, useValue: new RedisOutageLog(outageLogger) },
        // Webhooks off: the store reports no news, and no leave is told.
        { provide: PresenceEvents, useValue: { wantsLeaves: false } },
      ],
    }).compile();
    keeper = moduleRef.get(PresenceKeeper);
  });

  it('tells each room that a user of a dead node left, as a disconnect', async () => {
    presence.departures = [{ room: 'lobby', user: alice }];
    await keeper.keep();
    expect(delivery.eventsNamed('room:left')).toEqual([
      {
        audience: { room: 'lobby' },
        event: 'room:left',
        payload: { room: 'lobby', user: alice, reason: 'disconnect' },
        options: undefined,
      },
    ]);
  });

  it('registers the presence of its sockets again, and tells the rooms, when it had been reaped', async () => {
    localSockets.memberships = [
      { socketId: 'a1', user: { ...alice, roles: [] }, rooms: ['lobby', 'games'] },
      { socketId: 'b1', user: { ...bob, roles: [] }, rooms: [] },
    ];
    presence.outcome = 'reaped';
    await keeper.keep();
    expect((await presence.roomsOf('a1')).sort()).toEqual(['games', 'lobby']);
    expect(await presence.members('lobby')).toEqual([alice]);
    expect(delivery.eventsNamed('room:joined').map((sent) => sent.payload)).toEqual([
      { room: 'lobby', user: alice },
      { room: 'games', user: alice },
    ]);
  });

  it('registers the presence again silently when the store lost it, as nobody heard of a departure', async () => {
    localSockets.memberships = [
      { socketId: 'a1', user: { ...alice, roles: [] }, rooms: ['lobby'] },
    ];
    presence.outcome = 'lost';
    await keeper.keep();
    expect(await presence.members('lobby')).toEqual([alice]);
    expect(delivery.eventsNamed('room:joined')).toEqual([]);
  });

  describe('after a failure', () => {
    beforeEach(() => jest.useFakeTimers({ now: Date.now() }));
    afterEach(() => jest.useRealTimers());

    it('survives it, and reaps only once the other nodes had a full timeout to say they are alive', async () => {
      presence.failure = new Error('redis is away');
      await expect(keeper.keep()).resolves.toBeUndefined();
      await expect(keeper.keepNow()).rejects.toThrow('redis is away');
      presence.failure = undefined;
      presence.departures = [{ room: 'lobby', user: bob }];
      await keeper.keepNow();
      expect(delivery.eventsNamed('room:left')).toEqual([]);
      jest.setSystemTime(Date.now() + NODE_TIMEOUT_MS);
      await keeper.keepNow();
      expect(delivery.eventsNamed('room:left')).toHaveLength(1);
    });

    it('adds it to the one line about Redis failing, however many rounds fail, and to its return', async () => {
      presence.failure = new Error('redis is away');
      for (let round = 0; round < 4; round += 1) await keeper.keep();
      expect(outageLines).toEqual(['redis is failing']);

      presence.failure = undefined;
      await keeper.keep();
      jest.advanceTimersByTime(OUTAGE_LOG_INTERVAL_MS);

      expect(outageLines).toEqual(['redis is failing', 'redis works again']);
    });
  });
});
