import type { Message, User, Welcome } from '@switchboard/contract';
import {
  closeAllClients,
  collect,
  connect,
  connectAs,
  nextEvent,
  ok,
  type TestClient,
} from './support/clients.js';
import { uniqueId } from './support/identities.js';
import { caughtUp, joined, sent } from './support/rooms.js';
import { useServer } from './support/server.js';

interface RoomLeft {
  room: string;
  user: User;
  reason: string;
}

/**
 * Socket.IO's connection state recovery, seen from a client that reconnects by itself after its
 * transport drops. That client waits `reconnectionDelay` (Socket.IO's default, about a second)
 * before it comes back, while the others act as soon as the server has seen it go.
 */
describe('reconnection (connection state recovery)', () => {
  const server = useServer();
  afterEach(() => closeAllClients());

  /** Alice (who reconnects by herself) and then Bob, both in `room`. */
  async function aliceThenBobIn(room: string): Promise<[TestClient, TestClient]> {
    const alice = await connect(server.url, { name: 'alice' }, { reconnection: true });
    await joined(alice, room);
    const bobArrived = nextEvent(alice, 'room:joined');
    const bob = await connectAs(server.url, 'bob');
    await joined(bob, room);
    await bobArrived;
    return [alice, bob];
  }

  /** Drops the client's transport as a network failure would; resolves once `observer` saw it go. */
  function dropTransport(client: TestClient, observer: TestClient): Promise<RoomLeft> {
    const left = nextEvent<RoomLeft>(observer, 'room:left');
    client.io.engine.close();
    return left;
  }

  it('welcomes a returning client with recovered: true, its socket id and what it missed', async () => {
    const room = uniqueId('room');
    const [alice, bob] = await aliceThenBobIn(room);
    const missed = nextEvent<Message>(alice, 'chat:message');
    const welcomeBack = nextEvent<Welcome>(alice, 'welcome');

    expect(await dropTransport(alice, bob)).toEqual({
      room,
      user: alice.welcome.user,
      reason: 'disconnect',
    });
    const message = await sent(bob, room, 'while you were away');

    expect(await welcomeBack).toEqual({
      socketId: alice.welcome.socketId,
      user: alice.welcome.user,
      recovered: true,
      serverTime: expect.any(Number),
    });
    expect(await missed).toEqual(message);
  });

  it('makes the returning client present in its rooms again', async () => {
    const room = uniqueId('room');
    const [alice, bob] = await aliceThenBobIn(room);
    const welcomeBack = nextEvent<Welcome>(alice, 'welcome');
    const aliceBack = nextEvent(bob, 'room:joined');

    await dropTransport(alice, bob);

    expect((await welcomeBack).recovered).toBe(true);
    expect(await aliceBack).toEqual({ room, user: alice.welcome.user });
    const { members } = await ok<{ members: User[] }>(bob, 'room:members', { room });
    expect(members).toEqual(expect.arrayContaining([alice.welcome.user, bob.welcome.user]));
    expect(members).toHaveLength(2);
    const reachesBob = nextEvent<Message>(bob, 'chat:message');
    const message = await sent(alice, room, 'back again');
    expect(await reachesBob).toEqual(message);
  });

  it('does not replay to the returning client that it left its rooms', async () => {
    const room = uniqueId('room');
    const [alice, bob] = await aliceThenBobIn(room);
    const leftSeenByAlice = collect<RoomLeft>(alice, 'room:left');
    const welcomeBack = nextEvent<Welcome>(alice, 'welcome');

    expect(await dropTransport(alice, bob)).toEqual({
      room,
      user: alice.welcome.user,
      reason: 'disconnect',
    });

    expect(await welcomeBack).toMatchObject({ socketId: alice.welcome.socketId, recovered: true });
    await caughtUp(alice);
    expect(leftSeenByAlice.filter(({ user }) => user.id === alice.welcome.user.id)).toEqual([]);
  });

  it('recovers a client whose only event so far was its welcome', async () => {
    const room = uniqueId('room');
    const bob = await connectAs(server.url, 'bob');
    await joined(bob, room);
    const alice = await connect(server.url, { name: 'alice' }, { reconnection: true });
    await joined(alice, room);
    const missed = nextEvent<Message>(alice, 'chat:message');
    const welcomeBack = nextEvent<Welcome>(alice, 'welcome');

    await dropTransport(alice, bob);
    const message = await sent(bob, room, 'while you were away');

    expect(await welcomeBack).toMatchObject({ socketId: alice.welcome.socketId, recovered: true });
    expect(await missed).toEqual(message);
  });
});
