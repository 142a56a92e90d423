import { closeAllClients, connectAs, ok, request } from './support/clients.js';
import { startServer, type RunningServer } from './support/server.js';

describe('connection', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterEach(() => closeAllClients());
  afterAll(() => server.close());

  it('welcomes a guest with its socket id, user and the server time', async () => {
    const before = Date.now();
    const alice = await connectAs(server.url, '  alice ');
    expect(alice.welcome).toEqual({
      socketId: alice.id,
      user: { id: expect.stringMatching(/^guest:.+/), name: 'alice' },
      recovered: false,
      serverTime: expect.any(Number),
    });
    expect(alice.welcome.serverTime).toBeGreaterThanOrEqual(before);
  });

  it('answers session:ping with the server time', async () => {
    const alice = await connectAs(server.url, 'alice');
    const data = await ok<{ serverTime: number }>(alice, 'session:ping');
    expect(data.serverTime).toBeGreaterThan(0);
  });

  it('answers an unknown event with UNKNOWN_EVENT and keeps the socket', async () => {
    const alice = await connectAs(server.url, 'alice');
    const reply = await request(alice, 'no:such-event', {});
    expect(reply).toEqual({ ok: false, error: { code: 'UNKNOWN_EVENT', message: expect.any(String) } });
    expect(alice.connected).toBe(true);
  });
});
