import type { Notification } from '@switchboard/contract';
import { nextNotification, ok } from './support/clients.js';
import { inCommonRoom } from './support/rooms.js';
import { useServer } from './support/server.js';
import {
  closeAllClientsAndTransports,
  connectOver,
  upgraded,
  type TransportName,
} from './support/transports.js';

describe('transports', () => {
  const server = useServer({ NOTIFY_ACK_TIMEOUT_MS: '500' });
  afterEach(() => closeAllClientsAndTransports());

  it.each<TransportName>(['websocket', 'polling'])(
    'welcomes a client on %s only and answers its events',
    async (transport) => {
      const alice = await connectOver(server.url, 'alice', [transport]);

      expect(alice.welcome).toMatchObject({ socketId: alice.id, user: { name: 'alice' } });
      expect(await ok(alice, 'session:ping')).toEqual({ serverTime: expect.any(Number) });
      expect(alice.io.engine.transport.name).toBe(transport);
    },
  );

  it('upgrades a client from polling to websocket, which keeps working', async () => {
    const alice = await connectOver(server.url, 'alice', ['polling', 'websocket']);
    await upgraded(alice);

    expect(alice.io.engine.transport.name).toBe('websocket');
    expect(await ok(alice, 'session:ping')).toEqual({ serverTime: expect.any(Number) });
  });

  it('delivers between clients on different transports', async () => {
    const overWebSocket = await connectOver(server.url, 'ws', ['websocket']);
    const overPolling = await connectOver(server.url, 'polling', ['polling']);
    await inCommonRoom(overWebSocket, overPolling);
    const received = nextNotification(overPolling);

    await ok(overWebSocket, 'notification:send', {
      target: { userId: overPolling.welcome.user.id },
      title: 'Across',
      body: 'transports',
    });

    expect(await received).toMatchObject<Partial<Notification>>({
      title: 'Across',
      from: overWebSocket.welcome.user,
    });
  });
});
