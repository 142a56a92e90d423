import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { pino } from 'pino';
import { AppError } from '../common/app-error.js';
import type { ClientSocket } from '../common/client-socket.js';
import { AppConfig, loadConfig } from '../config/app-config.js';
import type { Reply } from '../contract/types.js';
import { APP_LOGGER } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { EventDispatcher, type EventHandler, type SocketSession } from './event-dispatcher.js';

describe('EventDispatcher', () => {
  let dispatcher: EventDispatcher;
  let session: SocketSession;
  let emitted: unknown[][];
  let socket: ClientSocket;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [
        EventDispatcher,
        MetricsService,
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
    socket = {
      id: 's1',
      data: { user: { id: 'u1', name: 'User', roles: [] } },
      emit: (...args: unknown[]) => emitted.push(args),
    } as unknown as ClientSocket;
  });

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
});
