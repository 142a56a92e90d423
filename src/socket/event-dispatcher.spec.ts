import { jest } from '@jest/globals';
import { DiscoveryModule } from '@nestjs/core';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { pino } from 'pino';
import { AppError } from '../common/app-error.js';
import type { ClientSocket } from '../common/client-socket.js';
import { Payload } from '../common/payload.decorator.js';
import { AppConfig, loadConfig } from '../config/app-config.js';
import { ServerEvents, type Reply, type SessionEnded } from '@switchboard/contract';
import { APP_LOGGER } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { SessionEnds } from '../realtime/session-ends.js';
import { EventDispatcher, type SocketSession } from './event-dispatcher.js';

class EchoDto {
  @IsString() text!: string;
}

/** Settled by the test, so that it decides when the handler's promise resolves. */
let pendingWork: { resolve: (value: object) => void };

@WebSocketGateway()
class TestGateway {
  readonly echoed: EchoDto[] = [];

  @SubscribeMessage('echo')
  echo(@ConnectedSocket() socket: ClientSocket, @Payload(EchoDto) echo: EchoDto) {
    this.echoed.push(echo);
    return { socketId: socket.id, text: echo.text };
  }

  @SubscribeMessage('slow')
  slow(): Promise<object> {
    return new Promise((resolve) => (pendingWork = { resolve }));
  }

  @SubscribeMessage('work')
  work() {
    return Promise.resolve({});
  }

  @SubscribeMessage('conflict')
  conflict(): Promise<object> {
    return Promise.reject(new AppError('CONFLICT', 'taken'));
  }

  @SubscribeMessage('missing')
  missing(): object {
    throw new AppError('NOT_FOUND', 'gone', { hint: 1 });
  }

  @SubscribeMessage('crash')
  crash(): Promise<object> {
    return Promise.reject(new Error('secret detail'));
  }

  @SubscribeMessage('crash:sync')
  crashSync(): object {
    throw new Error('secret detail');
  }

  @SubscribeMessage('nothing')
  nothing(): undefined {
    return undefined;
  }

  readonly departures: string[] = [];

  handleDisconnect(socket: ClientSocket, reason: string): Promise<void> {
    this.departures.push(`${socket.id}: ${reason}`);
    return reason === 'fail' ? Promise.reject(new Error('store away')) : Promise.resolve();
  }
}

describe('EventDispatcher', () => {
  let dispatcher: EventDispatcher;
  let gateway: TestGateway;
  let session: SocketSession;
  let emitted: unknown[][];
  let socket: ClientSocket;
  const logger = pino({ level: 'silent' });
  /** What ending the socket's session does: session ends send session:ended, then disconnects. */
  let endSession: (ended: SessionEnded) => void;
  const sessionEnds = {
    endSessionHere: (_socketId: string, ended: SessionEnded) => endSession(ended),
  };

  /** The dispatcher as the app builds it: its table from the gateways of a Nest module. */
  async function startDispatcher(
    settings: Record<string, string>,
    gateways: unknown[] = [TestGateway],
  ): Promise<void> {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [
        EventDispatcher,
        MetricsService,
        ...(gateways as [typeof TestGateway]),
        { provide: SessionEnds, useValue: sessionEnds },
        { provide: AppConfig, useValue: loadConfig(settings) },
        { provide: APP_LOGGER, useValue: logger },
      ],
    }).compile();
    await moduleRef.init();
    dispatcher = moduleRef.get(EventDispatcher);
    gateway = moduleRef.get(TestGateway);
    session = dispatcher.createSession();
  }

  beforeEach(async () => {
    await startDispatcher({ RATE_LIMIT_PER_SEC: '1', RATE_LIMIT_BURST: '2' });
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

  /** Dispatches with an ack; the replies array fills as the ack is called. */
  function dispatchWithAck(event: string, payload?: unknown): Reply<unknown>[] {
    const replies: Reply<unknown>[] = [];
    dispatcher.dispatch(socket, session, event, [
      payload,
      (reply: Reply<unknown>) => replies.push(reply),
    ]);
    return replies;
  }

  /** Lets every settled promise's callbacks run. */
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  it('replies at once, within the dispatch, when the handler returns a value', () => {
    expect(dispatchWithAck('echo', { text: 'hi' })).toEqual([
      { ok: true, data: { socketId: 's1', text: 'hi' } },
    ]);
  });

  it('replies once the promise a handler returns resolves, not before', async () => {
    const replies = dispatchWithAck('slow');
    await settled();
    expect(replies).toEqual([]);
    pendingWork.resolve({ done: true });
    await settled();
    expect(replies).toEqual([{ ok: true, data: { done: true } }]);
  });

  it('answers { ok: true, data: {} } when the handler returns nothing', () => {
    expect(dispatchWithAck('nothing')).toEqual([{ ok: true, data: {} }]);
  });

  it('answers an AppError with its code and details, thrown or rejected, without logging it', async () => {
    const logged = jest.spyOn(logger, 'error');
    expect(dispatchWithAck('missing')).toEqual([
      { ok: false, error: { code: 'NOT_FOUND', message: 'gone', details: { hint: 1 } } },
    ]);
    const replies = dispatchWithAck('conflict');
    await settled();
    expect(replies).toEqual([{ ok: false, error: { code: 'CONFLICT', message: 'taken' } }]);
    expect(logged).not.toHaveBeenCalled();
  });

  it('logs an unexpected error with the socket, user and event, and answers INTERNAL without its cause', async () => {
    const logged = jest.spyOn(logger, 'error');
    const internal = { ok: false, error: { code: 'INTERNAL', message: 'internal error' } };
    expect(dispatchWithAck('crash:sync')).toEqual([internal]);
    const replies = dispatchWithAck('crash');
    await settled();
    expect(replies).toEqual([internal]);
    expect(logged).toHaveBeenCalledTimes(2);
    expect(logged).toHaveBeenCalledWith(
      {
        err: expect.objectContaining({ message: 'secret detail' }),
        socketId: 's1',
        userId: 'u1',
        event: 'crash',
      },
      'event handler failed',
    );
  });

  it("calls the gateways' handleDisconnect with the socket and the reason, and logs a failure", async () => {
    const logged = jest.spyOn(logger, 'error');
    dispatcher.disconnected(socket, 'transport close');
    dispatcher.disconnected(socket, 'fail');
    await settled();
    expect(gateway.departures).toEqual(['s1: transport close', 's1: fail']);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged).toHaveBeenCalledWith(
      { err: expect.objectContaining({ message: 'store away' }), socketId: 's1', userId: 'u1' },
      'disconnect handling failed',
    );
  });

  it('answers VALIDATION_FAILED with the problems of each field, without running the handler', () => {
    expect(dispatchWithAck('echo', { text: 7 })).toEqual([
      {
        ok: false,
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.any(String),
          details: [{ field: 'text', problems: ['text must be a string'] }],
        },
      },
    ]);
    expect(dispatchWithAck('echo', 'not an object')).toMatchObject([
      { ok: false, error: { code: 'VALIDATION_FAILED' } },
    ]);
    expect(gateway.echoed).toEqual([]);
  });

  it('answers an unknown event with UNKNOWN_EVENT', () => {
    expect(dispatchWithAck('nope')).toMatchObject([
      { ok: false, error: { code: 'UNKNOWN_EVENT' } },
    ]);
  });

  it('answers RATE_LIMITED beyond the burst without running the handler', () => {
    dispatchWithAck('echo', { text: '1' });
    dispatchWithAck('echo', { text: '2' });
    expect(dispatchWithAck('echo', { text: '3' })).toMatchObject([
      { ok: false, error: { code: 'RATE_LIMITED' } },
    ]);
    expect(gateway.echoed).toHaveLength(2);
  });

  it('sends a failure of an event without ack as the error event, and a success as nothing', async () => {
    dispatcher.dispatch(socket, session, 'work', [{}]);
    dispatcher.dispatch(socket, session, 'missing', [{}]);
    await settled();
    expect(emitted).toEqual([
      ['error', { event: 'missing', code: 'NOT_FOUND', message: 'gone', details: { hint: 1 } }],
    ]);
  });

  it('refuses to start when a gateway uses a parameter decorator it does not support', async () => {
    @WebSocketGateway()
    class BodyGateway {
      @SubscribeMessage('body')
      body(@MessageBody() body: unknown) {
        return body;
      }
    }
    await expect(startDispatcher({}, [TestGateway, BodyGateway])).rejects.toThrow(
      /BodyGateway\.body \("body"\), parameter 0: a decorator the handler table does not support/,
    );
  });

  describe('floods (RATE_LIMIT_BURST = 2: more than 2 refusals within 5 seconds)', () => {
    let now: number;
    beforeEach(() => {
      now = 1_000_000;
      jest.spyOn(performance, 'now').mockImplementation(() => now);
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

    it('answers refused events without a callback with at most one error event a second', async () => {
      await startDispatcher({ RATE_LIMIT_PER_SEC: '1', RATE_LIMIT_BURST: '1000' });
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
