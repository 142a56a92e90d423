import type { Message } from '@switchboard/contract';
import { Redis } from 'ioredis';
import { RedisKeys } from '../src/storage/redis/redis-keys.js';
import { closeAllClients, connectAs, ok, request } from './support/clients.js';
import { bearer, post, postNotification } from './support/http.js';
import { uniqueId } from './support/identities.js';
import { startReplicatedRedis } from './support/redis-sentinels.js';
import { describeWithRedis, uniquePrefix, type RedisServer } from './support/redis-server.js';
import { history, joined, ROOMS_TEST_ENV, sent } from './support/rooms.js';
import { startServer, type RunningServer } from './support/server.js';

/** Roomy enough for a loaded machine's replica to confirm; each refusal waits it out. */
const WAIT_TIMEOUT_MS = 1000;
const API_KEY = 'wait-replicas-api-key';

/** A master with one replica in sync, and one node over the master with `env`. */
function useReplicatedNode(name: string, env: Record<string, string>) {
  const setup = {} as { master: RedisServer; replica: RedisServer; node: RunningServer };
  const prefix = uniquePrefix(name);
  beforeAll(async () => {
    [setup.master, setup.replica] = await startReplicatedRedis();
    setup.node = await startServer({
      ...ROOMS_TEST_ENV,
      API_KEY,
      REDIS_URL: setup.master.url,
      REDIS_KEY_PREFIX: prefix,
      ...env,
    });
  });
  afterEach(() => {
    closeAllClients();
    setup.replica.resume();
  });
  afterAll(async () => {
    await setup.node?.close();
    await Promise.all([setup.replica?.close(), setup.master?.close()]);
  });
  return { setup, keys: new RedisKeys(prefix) };
}

describeWithRedis('REDIS_WAIT_REPLICAS=1 over a master and its replica', () => {
  const { setup, keys } = useReplicatedNode('wait-replicas', {
    REDIS_WAIT_REPLICAS: '1',
    REDIS_WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS),
  });

  it('acknowledges a chat:send once the replica holds it', async () => {
    const alice = await connectAs(setup.node.url, 'alice');
    const room = uniqueId('room');
    await joined(alice, room);

    const message = await sent(alice, room, 'kept twice', 'first');

    const onReplica = await readFrom(setup.replica, (client) =>
      client.lrange(keys.history(room), 0, -1),
    );
    expect(onReplica.map((json) => JSON.parse(json) as Message)).toEqual([message]);
  });

  it('answers UNAVAILABLE at the bound while the replica is away; the retry with the same clientMsgId waits too, and returns the same message once the replica is back', async () => {
    const alice = await connectAs(setup.node.url, 'alice');
    const room = uniqueId('room');
    await joined(alice, room);
    const send = { room, text: 'is it kept?', clientMsgId: 'settle-me' };
    setup.replica.pause();

    const startedAt = performance.now();
    const refused = await request(alice, 'chat:send', send);
    const answeredAfterMs = performance.now() - startedAt;
    const retriedWhileAway = await request(alice, 'chat:send', send);

    const unavailable = {
      ok: false,
      error: { code: 'UNAVAILABLE', message: expect.stringMatching(/may exist/) as unknown },
    };
    expect(refused).toEqual(unavailable);
    expect(retriedWhileAway).toEqual(unavailable);
    // The reply waited for the replicas up to the bound, and not much longer (a loaded machine).
    expect(answeredAfterMs).toBeGreaterThanOrEqual(WAIT_TIMEOUT_MS - 5);
    expect(answeredAfterMs).toBeLessThan(WAIT_TIMEOUT_MS + 2000);

    setup.replica.resume();
    const settled = await ok<Message>(alice, 'chat:send', send);
    expect(settled).toMatchObject({ ...send, offset: 1 });
    expect(await history(alice, { room })).toEqual({ messages: [settled], hasMore: false });
    expect(await ok<Message>(alice, 'chat:send', send)).toEqual(settled);
  });

  it('answers a notification to a user 503 UNAVAILABLE while the replica is away, and 202 once it is back', async () => {
    const notification = { target: { userId: uniqueId('user') }, title: 'hello', body: 'there' };
    setup.replica.pause();

    const refused = await postNotification(setup.node.url, notification, bearer(API_KEY));
    setup.replica.resume();
    const accepted = await postNotification(setup.node.url, notification, bearer(API_KEY));

    expect(refused).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
    expect(accepted.status).toBe(202);
  });

  it('answers a message posted through the server API 503 UNAVAILABLE while the replica is away, and the same message once it is back', async () => {
    const room = uniqueId('room');
    const body = { text: 'deployed', clientMsgId: 'deploy-42' };
    const postMessage = () =>
      post<Message>(setup.node.url, `/api/rooms/${room}/messages`, body, bearer(API_KEY));
    setup.replica.pause();

    const refused = await postMessage();
    setup.replica.resume();
    const settled = await postMessage();
    const again = await postMessage();

    expect(refused).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
    expect(settled.status).toBe(201);
    expect(settled.body).toMatchObject({ ...body, room, offset: 1 });
    expect(again.body).toEqual(settled.body);
  });
});

describeWithRedis('REDIS_WAIT_REPLICAS unset (0) over a master and its replica', () => {
  const { setup } = useReplicatedNode('no-wait-replicas', {});

  it('acknowledges once the master holds the message, and sends Redis no WAIT', async () => {
    const alice = await connectAs(setup.node.url, 'alice');
    const room = uniqueId('room');
    await joined(alice, room);
    setup.replica.pause();

    expect(await sent(alice, room, 'the master is enough', 'only-master')).toMatchObject({
      offset: 1,
    });

    const stats = await readFrom(setup.master, (client) => client.info('commandstats'));
    expect(stats).toMatch(/cmdstat_evalsha:/);
    expect(stats).not.toMatch(/cmdstat_wait:/);
  });
});

async function readFrom<T>(server: RedisServer, read: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(server.port, '127.0.0.1');
  try {
    return await read(client);
  } finally {
    client.disconnect();
  }
}
