import { closeAllClients, connectAs, request } from './support/clients.js';
import { connectWithToken, uniqueId } from './support/identities.js';
import { failure, joined, newUser, ROOMS_TEST_ENV } from './support/rooms.js';
import { useHookBackend } from './support/hook-backend.js';
import { useServer } from './support/server.js';

describe('the join hook', () => {
  const env: Record<string, string> = { ...ROOMS_TEST_ENV };
  const hooks = useHookBackend(env, ['join']);
  const server = useServer(env);
  afterEach(() => closeAllClients());

  const asked = () => hooks.backend.receivedAt('/join');

  it('lets in whom the backend allows, asked once, and never again on a repeated join', async () => {
    hooks.backend.answer('/join', () => ({ body: { allow: true } }));
    const room = uniqueId('private:team');
    const alice = await connectAs(server.url, 'Alice');
    const before = asked().length;

    expect((await joined(alice, room)).members).toEqual([alice.welcome.user]);
    await joined(alice, room);

    expect(
      asked()
        .slice(before)
        .map((request) => request.body),
    ).toEqual([{ user: alice.welcome.user, room, socketId: alice.welcome.socketId }]);
    expect(asked().at(-1)?.signed).toBe(true);
  });

  it("refuses as FORBIDDEN with the backend's message, and UNAVAILABLE for anything else", async () => {
    hooks.backend.answer('/join', ({ body }) =>
      String(body.room).endsWith('closed')
        ? { body: { allow: false, message: 'members only' } }
        : { body: { allow: 'yes' } },
    );
    const alice = await connectAs(server.url, 'Alice');

    expect(await request(alice, 'room:join', { room: 'private:closed' })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'members only' },
    });
    expect(await request(alice, 'room:join', { room: 'private:garbled' })).toEqual(
      failure('UNAVAILABLE'),
    );
  });

  it('does not ask for a socket holding a grant, nor for an open room', async () => {
    const room = uniqueId('private:granted');
    const user = newUser('Bob');
    const bob = await connectWithToken(server.url, {
      sub: user.id,
      name: user.name,
      rooms: [room],
    });
    const before = asked().length;

    await joined(bob, room);
    await joined(bob, uniqueId('lobby'));

    expect(asked()).toHaveLength(before);
  });
});
