import type { SessionEnded } from '@switchboard/contract';
import { SessionEnds } from '../src/realtime/session-ends.js';
import { closeAllClients, nextEvent, type TestClient } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { describeWithRedis } from './support/redis-server.js';
import { newUser, tabsOn, ROOMS_TEST_ENV } from './support/rooms.js';
import { useServer } from './support/server.js';

/** What a socket sees when the server ends its session: the event, then a server disconnect. */
async function sessionEndOf(socket: TestClient): Promise<[SessionEnded, string]> {
  const ended = nextEvent<SessionEnded>(socket, 'session:ended');
  const disconnected = nextEvent<string>(socket, 'disconnect');
  return [await ended, await disconnected];
}

const kicked: [SessionEnded, string] = [
  { reason: 'kicked', message: 'removed by a moderator' },
  'io server disconnect',
];

describe('ending the sessions of a user on one node', () => {
  const server = useServer(ROOMS_TEST_ENV);
  afterEach(() => closeAllClients());

  it('sends session:ended to every socket of the user, then disconnects them for good', async () => {
    const tabs = await tabsOn([server.url, server.url], newUser('Alice'));
    const ends = tabs.map(sessionEndOf);
    server.app
      .get(SessionEnds)
      .endSessions({ userId: tabs[0].welcome.user.id }, 'kicked', 'removed by a moderator');
    expect(await Promise.all(ends)).toEqual([kicked, kicked]);
  });
});

describeWithRedis('ending the sessions of a user across nodes', () => {
  const cluster = useCluster('session-end');
  afterEach(() => closeAllClients());

  it('reaches the sockets of the user on every node, each told before it is disconnected', async () => {
    const tabs = await tabsOn(cluster.urls, newUser('Alice'));
    const ends = tabs.map(sessionEndOf);
    cluster.apps[0]
      .get(SessionEnds)
      .endSessions({ userId: tabs[0].welcome.user.id }, 'kicked', 'removed by a moderator');
    expect(await Promise.all(ends)).toEqual(tabs.map(() => kicked));
  });
});
