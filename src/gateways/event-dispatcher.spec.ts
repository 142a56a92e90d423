import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { pino } from 'pino';
import { AppError } from '../common/app-error.js';
import type { ClientSocket } from '../common/client-socket.js';
import { AppConfig, loadConfig } from '../config/app-config.js';
import { ServerEvents } from '../contract/events.js';
import type { Reply, SessionEnded } from '../contract/types.js';
import { APP_LOGGER } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Broadcaster } from '../realtime/broadcaster.js';
import { EventDispatcher, type EventHandler, type SocketSession } from './event-dispatcher.js';

describe('EventDispatcher', () => {
  let dispatcher: EventDispatcher;
  let session: SocketSession;
  let emitted: unknown[][];
  let socket: ClientSocket;
  /** What ending the socket's session does: the Broadcaster sends session:ended, then disconnects. */
  let endSession: (ended: SessionEnded) => void;
  const broadcaster = {
    endSessionHere: (_socketId: string, ended: SessionEnded) => endSession(ended),
  };

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [
        EventDispatcher,
        MetricsService,
        { provide: Broadcaster, useValue: broadcaster },
        {
          provide: AppConfig,
          useValue: loadConfig({ RATE_LIMIT_PER_SEC: '1', RATE_LIMIT_BURST: '2' }),
        },
        { provide: APP_LOGGER, useValue: pino({ level: 'silent' }) },
      ],
    }).compile();
    dispatcher = moduleRef.get(EventDispatcher);
    session = dispatcher.createSession();
    emitted = [];
    const fakeSocket = {
      id: 's1',
      connected: true,
      data: { user: { id: 'u1', name: 'User', roles: [] } },
      emit: (...args: unknown[]) => emitted.push(args),
      disconnect: () => {
        fakeSocket.connected = false;
        emitted.push(['(disconnected)']);
      },
    };
    socket = fakeSocket as unknown as ClientSocket;
    endSession = (ended) => {
      emitted.push([ServerEvents.sessionEnded, ended]);
      fakeSocket.disconnect();
    };
  });
  afterEach(() => jest.restoreAllMocks());

  /** Dispatches with an ack and resolves with every reply it got. */
  function dispatchWithAck(event: string, payload?: unknown): Promise<Reply<unknown>[]> {
    const replies: Reply<unknown>[] = [];
    return new Promise((resolve) => {
      dispatcher.dispatch(socket, session, event, [
        payload,
        (reply: Reply<unknown>) => {
          replies.push(reply);
          // Any second reply would be pushed within the same turn of the event loop.
          setImmediate(() => resolve(replies));
        },
      ]);
    });
  }

  it('wraps what the handler returns as { ok: true, data }', async () => {
    dispatcher.register(session, 'echo', (payload) => Promise.resolve({ echoed: payload }));
    expect(await dispatchWithAck('echo', 'hi')).toEqual([{ ok: true, data: { echoed: 'hi' } }]);
  });

  it('replies once with the failure the filter answered, never a success after it', async () => {
    const failing: EventHandler = (_payload, respond) => {
      respond({ ok: false, error: { code: 'FORBIDDEN', message: 'no' } });
      return Promise.resolve(undefined);
    };
    dispatcher.register(session, 'refused', failing);
    expect(await dispatchWithAck('refused')).toEqual([
      { ok: false, error: { code: 'FORBIDDEN', message: 'no' } },
    ]);
  });

  it('turns a rejection into the failure of its AppError, or INTERNAL without the cause', async () => {
    dispatcher.register(session, 'conflict', () =>
      Promise.reject(new AppError('CONFLICT', 'taken')),
    );
    dispatcher.register(session, 'crash', () => Promise.reject(new Error('secret detail')));
    expect(await dispatchWithAck('conflict')).toEqual([
      { ok: false, error: { code: 'CONFLICT', message: 'taken' } },
    ]);
    expect(await dispatchWithAck('crash')).toEqual([
      { ok: false, error: { code: 'INTERNAL', message: 'internal error' } },
    ]);
  });

  it('answers an unknown event with UNKNOWN_EVENT', async () => {
    const [reply] = await dispatchWithAck('nope');
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
  });

  it('answers RATE_LIMITED beyond the burst without running the handler', async () => {
    const handler = jest.fn<EventHandler>(() => Promise.resolve({}));
    dispatcher.register(session, 'work', handler);
    await dispatchWithAck('work');
    await dispatchWithAck('work');
    const [reply] = await dispatchWithAck('work');
    expect(reply).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('sends a failure of an event without ack as the error event, and a success as nothing', async () => {
    let settled!: () => void;
    const done = new Promise<void>((resolve) => (settled = resolve));
    dispatcher.register(session, 'fine', () => Promise.resolve({}));
    dispatcher.register(session, 'broken', () => {
      setImmediate(settled);
      return Promise.reject(new AppError('NOT_FOUND', 'gone', { hint: 1 }));
    });
    dispatcher.dispatch(socket, session, 'fine', [{}]);
    dispatcher.dispatch(socket, session, 'broken', [{}]);
    await done;
    expect(emitted).toEqual([
      ['error', { event: 'broken', code: 'NOT_FOUND', message: 'gone', details: { hint: 1 } }],
    ]);
  });

  describe('floods (RATE_LIMIT_BURST = 2: more than 2 refusals within 5 seconds)', () => {
    let now: number;
    beforeEach(() => {
      now = 1_000_000;
      jest.spyOn(performance, 'now').mockImplementation(() => now);
      dispatcher.register(session, 'work', () => Promise.resolve({}));
    });

    /** Sends `count` events without a callback, one every `everyMs`. */
    function send(count: number, everyMs = 0): void {
      for (let index = 0; index < count; index += 1) {
        dispatcher.dispatch(socket, session, 'work', [{}]);
        now += everyMs;
      }
    }
    const endedAndDisconnected = [
      ['session:ended', { reason: 'rate_limited', message: expect.any(String) }],
      ['(disconnected)'],
    ];

    it('ends the session of a socket that goes on sending after being refused, once', () => {
      send(2 + 2);
      expect(emitted).not.toContainEqual(['(disconnected)']);
      send(1);
      expect(emitted.slice(-2)).toEqual(endedAndDisconnected);
      send(10);
      expect(emitted.filter(([name]) => name === 'session:ended')).toHaveLength(1);
    });

    it('lets a socket be refused now and then without ending its session', () => {
      // 1.25 events a second with one token a second: once the burst is spent, one in 4 s is refused.
      send(75, 800);
      expect(emitted.map(([name]) => name)).toContain('error');
      expect(emitted.map(([name]) => name)).not.toContain('session:ended');
    });

    it('answers refused events without a callback with at most one error event a second', () => {
      dispatcher = new EventDispatcher(
        loadConfig({ RATE_LIMIT_PER_SEC: '1', RATE_LIMIT_BURST: '1000' }),
        new MetricsService(),
        broadcaster as unknown as Broadcaster,
        pino({ level: 'silent' }),
      );
      session = dispatcher.createSession();
      dispatcher.register(session, 'work', () => Promise.resolve({}));
      send(1000);
      // Then 200 events in 2.5 s (1 token a second lets 2 of them through).
      send(200, 12.5);
      const errors = emitted.filter(([name]) => name === 'error');
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(errors.length).toBeLessThanOrEqual(3);
      expect(errors[0]).toEqual([
        'error',
        { event: 'work', code: 'RATE_LIMITED', message: expect.any(String) },
      ]);
    });

    it('answers each refused event with a callback, with the same RATE_LIMITED reply', () => {
      send(2);
      const replies: unknown[] = [];
      for (let index = 0; index < 2; index += 1) {
        dispatcher.dispatch(socket, session, 'work', [{}, (reply: unknown) => replies.push(reply)]);
      }
      expect(replies).toEqual([
        { ok: false, error: { code: 'RATE_LIMITED', message: expect.any(String) } },
        { ok: false, error: { code: 'RATE_LIMITED', message: expect.any(String) } },
      ]);
      expect(emitted).toEqual([]);
    });
  });
});
