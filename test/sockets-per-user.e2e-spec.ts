import type { SessionEnded, User } from '@switchboard/contract';
import { closeAllClients, nextEvent, ok, type TestClient } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { connectWithToken, uniqueId } from './support/identities.js';
import { describeWithRedis } from './support/redis-server.js';
import { guestsIn, joined, newUser, ROOMS_TEST_ENV } from './support/rooms.js';
import { useServer } from './support/server.js';

const MAX_SOCKETS_PER_USER = 20;

/** Connects one socket of `user` to each of `urls`, one after the other, in that order. */
async function tabsInOrder(urls: string[], user: User): Promise<TestClient[]> {
  const tabs: TestClient[] = [];
  for (const url of urls) tabs.push(await connectWithToken(url, { sub: user.id, name: user.name }));
  return tabs;
}

/** What a socket sees when the server ends its session: the event, then a server disconnect. */
async function sessionEndOf(socket: TestClient): Promise<[SessionEnded, string]> {
  const ended = nextEvent<SessionEnded>(socket, 'session:ended');
  const disconnected = nextEvent<string>(socket, 'disconnect');
  return [await ended, await disconnected];
}

const replaced: [SessionEnded, string] = [
  { reason: 'replaced', message: expect.any(String) as string },
  'io server disconnect',
];

/** Every socket still answers: none of them was ended. */
async function allAnswer(sockets: TestClient[]): Promise<void> {
  await Promise.all(sockets.map((socket) => ok(socket, 'session:ping')));
}

describe('MAX_SOCKETS_PER_USER on one node', () => {
  const server = useServer(ROOMS_TEST_ENV);
  afterEach(() => closeAllClients());

  it("ends the session of the user's oldest socket when a 21st connects, and only that one", async () => {
    const user = newUser('Alice');
    const [oldest, ...others] = await tabsInOrder(
      Array.from({ length: MAX_SOCKETS_PER_USER }, () => server.url),
      user,
    );
    const oldestEnd = sessionEndOf(oldest);

    const [newest] = await tabsInOrder([server.url], user);

    expect(await oldestEnd).toEqual(replaced);
    await allAnswer([...others, newest]);
  });

  it('lets a new socket in without replacing any once an old one has disconnected', async () => {
    const user = newUser('Bob');
    const tabs = await tabsInOrder(
      Array.from({ length: MAX_SOCKETS_PER_USER }, () => server.url),
      user,
    );
    // Alone in a room with an observer: the observer hears when the server has handled its going.
    const gone = tabs[5];
    const room = uniqueId('room');
    const [observer] = await guestsIn(server.url, room, 'observer');
    await joined(gone, room);
    const left = nextEvent(observer, 'room:left');
    gone.disconnect();
    await left;

    const [newest] = await tabsInOrder([server.url], user);

    await allAnswer([...tabs.filter((tab) => tab !== gone), newest]);
  });
});

describeWithRedis('MAX_SOCKETS_PER_USER across nodes', () => {
  const cluster = useCluster('sockets-per-user', { size: 2 });
  afterEach(() => closeAllClients());

  it("counts the user's sockets on every node and replaces the oldest wherever it is", async () => {
    const user = newUser('Carol');
    const [nodeA, nodeB] = cluster.urls;
    const half = MAX_SOCKETS_PER_USER / 2;
    const tabs = await tabsInOrder(
      [...Array.from({ length: half }, () => nodeA), ...Array.from({ length: half }, () => nodeB)],
      user,
    );
    const firstEnd = sessionEndOf(tabs[0]);
    const secondEnd = sessionEndOf(tabs[1]);

    const [onB] = await tabsInOrder([nodeB], user);
    expect(await firstEnd).toEqual(replaced);
    const [onA] = await tabsInOrder([nodeA], user);
    expect(await secondEnd).toEqual(replaced);

    await allAnswer([...tabs.slice(2), onA, onB]);
  });
});
