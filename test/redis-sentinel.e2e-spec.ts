import { setTimeout as delay } from 'node:timers/promises';
import type { ErrorCode, Message } from '@switchboard/contract';
import {
  closeAllClients,
  collect,
  connectAs,
  request,
  type TestClient,
} from './support/clients.js';
import { readiness } from './support/cluster.js';
import { uniqueId } from './support/identities.js';
import {
  eventually,
  replicating,
  Sentinels,
  startReplicatedRedis,
} from './support/redis-sentinels.js';
import { describeWithRedis, uniquePrefix, type RedisServer } from './support/redis-server.js';
import { history, joined, ROOMS_TEST_ENV, sent } from './support/rooms.js';
import { startNodeProcess, type NodeProcess } from './support/node-process.js';
import { startServer, TEST_ADDRESS_LIMITS_ENV, type RunningServer } from './support/server.js';

const MASTER_NAME = 'switchboard-master';
/** The contract's bound on following a new master. */
const FOLLOW_BOUND_MS = 30_000;
/** The sender's pace: a steady stream, not a flood that would fill the history window. */
const SEND_INTERVAL_MS = 20;

describeWithRedis('Redis Sentinel: the master killed while a client sends', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let sentinels: Sentinels;
  // One node in this process, one in a child process: only there would a crash show.
  let inProcess: RunningServer | undefined;
  let child: NodeProcess | undefined;
  let nodes: { url: string }[] = [];

  beforeAll(async () => {
    [master, replica] = await startReplicatedRedis();
    sentinels = await Sentinels.start(master, MASTER_NAME);
    await sentinels.watching(1);
    const env = {
      ...ROOMS_TEST_ENV,
      REDIS_SENTINELS: sentinels.addresses,
      REDIS_SENTINEL_MASTER: MASTER_NAME,
      REDIS_KEY_PREFIX: uniquePrefix('sentinel'),
      REDIS_WAIT_REPLICAS: '1',
      REDIS_WAIT_TIMEOUT_MS: '500',
    };
    inProcess = await startServer(env);
    child = await startNodeProcess({ ...TEST_ADDRESS_LIMITS_ENV, ...env });
    nodes = [inProcess, child];
  }, 30_000);
  afterAll(async () => {
    closeAllClients();
    await Promise.all([inProcess?.close(), child?.stop()]);
    await sentinels?.close();
    await Promise.all([master?.close(), replica?.close()]);
  });

  it('has both nodes follow the new master without a restart, and loses no acknowledged message', async () => {
    const [a, b] = nodes;
    const room = uniqueId('room');
    const alice = await connectAs(a.url, 'alice');
    const bob = await connectAs(b.url, 'bob');
    for (const socket of [alice, bob]) await joined(socket, room);
    const sender = startSending(alice, room);
    await sender.acknowledgedAtLeast(5);

    const killedAt = performance.now();
    await master.kill();
    // Meanwhile the nodes are not ready, as in an outage of Redis.
    await Promise.all(nodes.map((node) => readiness(node.url, 503)));
    const newMaster = await sentinels.failedOverFrom(master.port, FOLLOW_BOUND_MS);
    expect(newMaster).toBe(replica.port);
    await Promise.all(nodes.map((node) => readiness(node.url, 200)));
    const followedAfterMs = performance.now() - killedAt;
    expect(followedAfterMs).toBeLessThan(FOLLOW_BOUND_MS);
    // Until a replica follows the new master, no write is confirmed: the old one comes back as one.
    await master.startAsReplicaOf(newMaster);
    await replicating(master);
    const acknowledgedBeforeReturn = sender.acknowledged.length;
    await sender.acknowledgedAtLeast(acknowledgedBeforeReturn + 10);
    const { acknowledged, failures } = await sender.stop();

    const stored = await wholeHistory(bob, room);
    const storedById = new Map(stored.map((message) => [message.id, message]));
    expect(acknowledged.filter((message) => storedById.get(message.id) === undefined)).toEqual([]);
    expect(acknowledged.map((message) => storedById.get(message.id))).toEqual(acknowledged);
    expect(isIncreasing(acknowledged.map((message) => message.offset))).toBe(true);
    expect(stored.map((message) => message.offset)).toEqual(stored.map((_, index) => index + 1));
    const clientMsgIds = stored.map((message) => message.clientMsgId);
    expect(new Set(clientMsgIds).size).toBe(clientMsgIds.length);
    // Events that needed Redis failed fast meanwhile: never a reply that did not come.
    expect(failures.filter((code) => code !== 'INTERNAL' && code !== 'UNAVAILABLE')).toEqual([]);
    // The failover happened under sends, refused while Redis was away.
    expect(failures).toContain('INTERNAL');

    // The adapter's subscriber connection followed too: broadcasts cross the nodes again.
    await expect(seenAcross(alice, bob, room)).resolves.toBe(true);
    await expect(seenAcross(bob, alice, room)).resolves.toBe(true);
    expect(child!.running()).toBe(true);
    expect(child!.output()).not.toMatch(/unhandled/i);
  }, 60_000);
});

/**
 * Sends `message 1`, `message 2`, … one after the other; a send that fails is sent again with the
 * same clientMsgId until it is acknowledged, as a client that must not lose a message does.
 */
function startSending(socket: TestClient, room: string) {
  const acknowledged: Message[] = [];
  const failures: (ErrorCode | 'no reply')[] = [];
  let stopping = false;
  const sending = (async () => {
    for (let index = 1; !stopping; index += 1) {
      const send = { room, text: `message ${index}`, clientMsgId: `message-${index}` };
      for (;;) {
        const reply = await request<Message>(socket, 'chat:send', send).catch(() => undefined);
        if (reply?.ok) {
          acknowledged.push(reply.data);
          break;
        }
        failures.push(reply === undefined ? 'no reply' : reply.error.code);
        await delay(SEND_INTERVAL_MS);
      }
      await delay(SEND_INTERVAL_MS);
    }
  })();
  return {
    acknowledged,
    acknowledgedAtLeast: (count: number) =>
      eventually(
        `${count} messages acknowledged`,
        () => Promise.resolve(acknowledged.length >= count ? true : undefined),
        20_000,
      ),
    stop: async () => {
      stopping = true;
      await sending;
      return { acknowledged, failures };
    },
  };
}

/** Every message of the room's history, oldest first, page after page. */
async function wholeHistory(socket: TestClient, room: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const page = await history(socket, { room, after: messages.at(-1)?.offset ?? 0, limit: 100 });
    messages.push(...page.messages);
    if (!page.hasMore) return messages;
  }
}

/** Whether a message that `from` sends reaches `to`, on the other node, through Redis. */
async function seenAcross(from: TestClient, to: TestClient, room: string): Promise<boolean> {
  const seen = collect<Message>(to, 'chat:message');
  const message = await sent(from, room, `across, ${uniqueId('probe')}`);
  return eventually('the message across nodes', () =>
    Promise.resolve(seen.some((other) => other.id === message.id) ? true : undefined),
  );
}

function isIncreasing(values: number[]): boolean {
  return values.every((value, index) => index === 0 || value > values[index - 1]);
}
