import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import type { ClientSocket } from '../common/client-socket.js';
import { DispatchingIoAdapter } from './dispatching-io.adapter.js';

describe('DispatchingIoAdapter, per socket', () => {
  const dispatcher = { createSession: jest.fn(() => ({})), dispatch: jest.fn() };
  const app = { get: () => dispatcher } as unknown as INestApplicationContext;
  let adapter: DispatchingIoAdapter;
  let socket: EventEmitter & { onAny: jest.Mock };

  beforeEach(() => {
    adapter = new DispatchingIoAdapter(app, {});
    socket = Object.assign(new EventEmitter(), { onAny: jest.fn() });
  });

  it('gives a socket one disconnect listener that calls every gateway callback in order', () => {
    const calls: string[] = [];
    for (const gateway of ['connection', 'limits', 'session']) {
      adapter.bindClientDisconnect(socket as unknown as ClientSocket, (reason) =>
        calls.push(`${gateway}: ${reason}`),
      );
    }
    expect(socket.listenerCount('disconnect')).toBe(1);
    socket.emit('disconnect', 'transport close');
    socket.emit('disconnect', 'again');
    expect(calls).toEqual([
      'connection: transport close',
      'limits: transport close',
      'session: transport close',
    ]);
  });

  it('gives a socket one onAny listener and one session, however many gateways bind', () => {
    for (let gateway = 0; gateway < 3; gateway += 1) {
      adapter.bindMessageHandlers(socket as unknown as ClientSocket, []);
    }
    expect(socket.onAny).toHaveBeenCalledTimes(1);
    expect(dispatcher.createSession).toHaveBeenCalledTimes(1);
  });
});
