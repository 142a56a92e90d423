import { closeAllClients, connectAs, nextEvent } from './support/clients.js';
import { startServer } from './support/server.js';

describe('graceful shutdown', () => {
  afterEach(() => closeAllClients());

  it('drops connections so that clients reconnect by themselves, and stops accepting', async () => {
    const server = await startServer();
    const alice = await connectAs(server.url, 'alice', { reconnection: true });
    const disconnected = nextEvent<string>(alice, 'disconnect');
    await server.close();
    // "io server disconnect" would tell socket.io-client not to reconnect; a transport close does.
    expect(await disconnected).toBe('transport close');
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});
