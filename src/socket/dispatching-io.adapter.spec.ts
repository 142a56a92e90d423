import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import type { ClientSocket } from '../common/client-socket.js';
import { DispatchingIoAdapter } from './dispatching-io.adapter.js';

describe('DispatchingIoAdapter, per socket', () => {
  const dispatcher = {
    createSession: jest.fn(() => ({})),
    dispatch: jest.fn(),
    disconnected: jest.fn(),
  };
  const app = { get: () => dispatcher } as unknown as INestApplicationContext;
  let adapter: DispatchingIoAdapter;
  let socket: EventEmitter & { onAny: jest.Mock };

  beforeEach(() => {
    jest.clearAllMocks();
    adapter = new DispatchingIoAdapter(app, {});
    socket = Object.assign(new EventEmitter(), { onAny: jest.fn() });
  });

  it('gives every socket the same disconnect listener, which hands the socket to the dispatcher', () => {
    const other = Object.assign(new EventEmitter(), { onAny: jest.fn() });
    for (const each of [socket, other]) {
      for (let gateway = 0; gateway < 3; gateway += 1) {
        adapter.bindMessageHandlers(each as unknown as ClientSocket, []);
        adapter.bindClientDisconnect();
      }
      expect(each.listenerCount('disconnect')).toBe(1);
    }
    expect(socket.listeners('disconnect')[0]).toBe(other.listeners('disconnect')[0]);
    socket.emit('disconnect', 'transport close');
    expect(dispatcher.disconnected).toHaveBeenCalledTimes(1);
    expect(dispatcher.disconnected).toHaveBeenCalledWith(socket, 'transport close');
  });

  it('gives a socket one onAny listener and one session, however many gateways bind', () => {
    for (let gateway = 0; gateway < 3; gateway += 1) {
      adapter.bindMessageHandlers(socket as unknown as ClientSocket, []);
    }
    expect(socket.onAny).toHaveBeenCalledTimes(1);
    expect(dispatcher.createSession).toHaveBeenCalledTimes(1);
  });
});
