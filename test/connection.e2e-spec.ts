import type { ErrorEvent } from '@switchboard/contract';
import { closeAllClients, collect, connectAs, nextEvent, ok, request } from './support/clients.js';
import { connectWithToken, uniqueId } from './support/identities.js';
import { caughtUp } from './support/rooms.js';
import { useServer } from './support/server.js';
import { TEST_JWT_SECRET } from './support/tokens.js';

describe('connection', () => {
  const server = useServer({ AUTH_JWT_SECRET: TEST_JWT_SECRET });
  afterEach(() => closeAllClients());

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
    expect(reply).toEqual({
      ok: false,
      error: { code: 'UNKNOWN_EVENT', message: expect.any(String) },
    });
    expect(alice.connected).toBe(true);
  });

  describe('replies', () => {
    it('calls the acknowledgement with exactly one argument', async () => {
      const alice = await connectAs(server.url, 'alice');
      const replyArguments = await new Promise<unknown[]>((resolve) =>
        alice.emit('no:such-event', {}, (...args: unknown[]) => resolve(args)),
      );
      expect(replyArguments).toEqual([{ ok: false, error: expect.anything() }]);
    });

    it('answers a failed event emitted without an ack with the error event { event, code, message, details }', async () => {
      const alice = await connectAs(server.url, 'alice');
      const error = nextEvent<ErrorEvent>(alice, 'error');

      alice.emit('notification:send', { target: { all: true }, title: '', body: 'b' });

      expect(await error).toEqual({
        event: 'notification:send',
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: [{ field: 'title', problems: expect.arrayContaining([expect.any(String)]) }],
      });
    });

    it('answers an unknown event emitted without an ack with the error event UNKNOWN_EVENT', async () => {
      const alice = await connectAs(server.url, 'alice');
      const error = nextEvent<ErrorEvent>(alice, 'error');

      alice.emit('no:such-event', { any: 'thing' });

      expect(await error).toEqual({
        event: 'no:such-event',
        code: 'UNKNOWN_EVENT',
        message: expect.any(String),
      });
    });

    it('sends the error event to that socket only, not to the user’s other tabs nor to others', async () => {
      const userId = uniqueId('jane');
      const failingTab = await connectWithToken(server.url, { sub: userId, name: 'Jane' });
      const otherTab = await connectWithToken(server.url, { sub: userId, name: 'Jane' });
      const someoneElse = await connectAs(server.url, 'kim');
      const errorsOfOtherTab = collect<ErrorEvent>(otherTab, 'error');
      const errorsOfSomeoneElse = collect<ErrorEvent>(someoneElse, 'error');
      const error = nextEvent<ErrorEvent>(failingTab, 'error');

      failingTab.emit('room:leave', { room: uniqueId('not-joined') });

      expect(await error).toMatchObject({ event: 'room:leave', code: 'NOT_FOUND' });
      await Promise.all([caughtUp(otherTab), caughtUp(someoneElse)]);
      expect(errorsOfOtherTab).toEqual([]);
      expect(errorsOfSomeoneElse).toEqual([]);
    });

    it('sends nothing back for a successful event emitted without an ack', async () => {
      const alice = await connectAs(server.url, 'alice');
      const received: string[] = [];
      alice.onAny((event: string) => received.push(event));

      alice.emit('session:ping');
      await caughtUp(alice);

      expect(received).toEqual([]);
    });

    it('keeps the socket connected after failed events', async () => {
      const alice = await connectAs(server.url, 'alice');
      const disconnections = collect<string>(alice, 'disconnect');

      await request(alice, 'no:such-event');
      await request(alice, 'notification:send', 'not an object');
      await request(alice, 'notification:send', { target: { all: true }, title: 't', body: 'b' });
      alice.emit('room:leave', { room: 'nowhere' });

      expect(await ok(alice, 'session:ping')).toEqual({ serverTime: expect.any(Number) });
      expect(alice.connected).toBe(true);
      expect(disconnections).toEqual([]);
    });
  });
});
