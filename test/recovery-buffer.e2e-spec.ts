import type { Welcome } from '@switchboard/contract';
import { closeAllClients, nextEvent, type TestClient } from './support/clients.js';
import { uniqueId } from './support/identities.js';
import { describeWithRedis } from './support/redis-server.js';
import { guestsIn, sent, ROOMS_TEST_ENV } from './support/rooms.js';
import { useCluster } from './support/cluster.js';
import { useServer } from './support/server.js';

const RECOVERY_BUFFER_PACKETS = 20;

/**
 * Alice's transport drops; once Bob has seen her go, he sends `missed` messages; then she comes
 * back. Resolves with her welcome back.
 */
async function awayWhileBobSends(
  alice: TestClient,
  bob: TestClient,
  room: string,
  missed: number,
): Promise<Welcome> {
  const left = nextEvent(bob, 'room:left');
  alice.io.engine.close();
  await left;
  for (let index = 1; index <= missed; index += 1) await sent(bob, room, `while away ${index}`);
  const welcomeBack = nextEvent<Welcome>(alice, 'welcome');
  alice.connect();
  return welcomeBack;
}

/**
 * Against the servers of `urls()`: Alice on the first, Bob on the last. `tooMany` broadcasts are
 * more than the server keeps.
 */
function recoveryBufferTests(urls: () => string[], tooMany: number) {
  afterEach(() => closeAllClients());

  async function aliceAndBob(room: string): Promise<[TestClient, TestClient]> {
    const [alice] = await guestsIn(urls()[0], room, 'alice');
    const [bob] = await guestsIn(urls().at(-1)!, room, 'bob');
    return [alice, bob];
  }

  it('recovers a client that missed fewer broadcasts than it keeps', async () => {
    const room = uniqueId('room');
    const [alice, bob] = await aliceAndBob(room);
    const missed = nextEvent(alice, 'chat:message');

    const welcome = await awayWhileBobSends(alice, bob, room, 3);

    expect(welcome).toMatchObject({ socketId: alice.welcome.socketId, recovered: true });
    expect(await missed).toMatchObject({ text: 'while away 1' });
  });

  it('welcomes back with recovered: false a client that missed more than it keeps', async () => {
    const room = uniqueId('room');
    const [alice, bob] = await aliceAndBob(room);

    const welcome = await awayWhileBobSends(alice, bob, room, tooMany);

    expect(welcome.recovered).toBe(false);
    expect(welcome.socketId).not.toBe(alice.welcome.socketId);
  });
}

describe('RECOVERY_BUFFER_PACKETS on one node', () => {
  const server = useServer({
    ...ROOMS_TEST_ENV,
    RECOVERY_BUFFER_PACKETS: String(RECOVERY_BUFFER_PACKETS),
  });
  recoveryBufferTests(() => [server.url], RECOVERY_BUFFER_PACKETS + 1);

  it('keeps recovering after many more broadcasts than it keeps', async () => {
    const room = uniqueId('room');
    const [alice, bob] = await guestsIn(server.url, room, 'alice', 'bob');
    for (let index = 0; index < RECOVERY_BUFFER_PACKETS * 5; index += 1) await sent(bob, room, 'x');

    const welcome = await awayWhileBobSends(alice, bob, room, 1);

    expect(welcome.recovered).toBe(true);
  });
});

describeWithRedis(
  'RECOVERY_BUFFER_PACKETS across nodes (each node keeps what it delivered)',
  () => {
    const cluster = useCluster('recovery-buffer', {
      size: 2,
      env: { ...ROOMS_TEST_ENV, RECOVERY_BUFFER_PACKETS: String(RECOVERY_BUFFER_PACKETS) },
    });
    recoveryBufferTests(() => cluster.urls, RECOVERY_BUFFER_PACKETS + 1);
  },
);
