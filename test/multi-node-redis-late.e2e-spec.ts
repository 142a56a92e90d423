import {
  closeAllClients,
  connectAs,
  nextEvent,
  ok,
  request,
  type TestClient,
} from './support/clients.js';
import { readiness } from './support/cluster.js';
import { uniqueId } from './support/identities.js';
import { startNodeProcess, type NodeProcess } from './support/node-process.js';
import { describeWithRedis, RedisServer, uniquePrefix } from './support/redis-server.js';
import { failure, joined } from './support/rooms.js';

/** The contract: a node started while Redis does not answer serves /health within a second. */
const SERVES_WITHIN_MS = 1000;
/**
 * Leeway for measuring it from outside (the test polls /health every 50 ms). On a machine too busy
 * to start any node within the second, a node without Redis started at the same time sets the
 * bound instead: Redis must add nothing to the start.
 */
const START_LEEWAY = 1.5;
/** The contract: at most one line about Redis not answering every 10 seconds. */
const LOG_INTERVAL_MS = 10_000;
/** The node's line about Redis failing (see RedisOutageLog). */
const OUTAGE_LINE = /"msg":"redis is failing"/;

describeWithRedis('nodes started while Redis does not answer', () => {
  let redis: RedisServer;
  let first: NodeProcess;
  let second: NodeProcess;
  let withoutRedis: NodeProcess;
  let alice: TestClient;
  let bob: TestClient;

  beforeAll(async () => {
    redis = await RedisServer.reserve();
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('redis-late') };
    [first, second, withoutRedis] = await Promise.all([
      startNodeProcess(env),
      startNodeProcess(env),
      startNodeProcess({}),
    ]);
  });
  afterAll(async () => {
    closeAllClients();
    await Promise.all([first, second, withoutRedis].map((node) => node?.stop()));
    await redis.close();
  });

  it('serves /health within a second of its start, and /health/ready 503 naming redis', async () => {
    const bound = Math.max(SERVES_WITHIN_MS, withoutRedis.servedAfterMs) * START_LEEWAY;
    expect(first.servedAfterMs).toBeLessThan(bound);
    expect(second.servedAfterMs).toBeLessThan(bound);

    const ready = await readiness(first.url, 503);
    expect(ready.body).toMatchObject({ status: 'unavailable', failed: ['redis'] });
  });

  it('replies INTERNAL within 5 s to events that need Redis, and keeps the socket', async () => {
    [alice, bob] = await Promise.all([connectAs(first.url, 'alice'), connectAs(second.url, 'bob')]);
    // `request` gives up after 5 s, the contract's bound.
    expect(await request(alice, 'room:join', { room: uniqueId('room') })).toEqual(
      failure('INTERNAL'),
    );
    expect(alice.connected).toBe(true);
    await ok(alice, 'session:ping');
  });

  it('logs one line about it, then at most one every 10 s, and stays up', async () => {
    // The second line comes 10 s after the first: long past the point where a node used to die.
    const [firstLine, secondLine] = (await first.linesMatching(OUTAGE_LINE, 2)).map(timeOf);

    expect(secondLine - firstLine).toBeGreaterThanOrEqual(LOG_INTERVAL_MS);
    expect(first.running() && second.running()).toBe(true);
  }, 30_000);

  it('becomes ready by itself once Redis answers, and then carries chat and user events to the other node', async () => {
    await redis.start();
    await Promise.all([readiness(first.url, 200), readiness(second.url, 200)]);
    const room = uniqueId('room');
    await joined(alice, room);
    await joined(bob, room);

    const message = nextEvent(bob, 'chat:message');
    await ok(alice, 'chat:send', { room, text: 'Redis is here' });
    expect(await message).toMatchObject({ room, text: 'Redis is here' });
    // Counting the recipients on every node goes over the adapter's subscriptions.
    const userEvent = nextEvent(bob, 'user:event');
    expect(
      await ok(alice, 'user:emit', { userId: bob.welcome.user.id, event: 'wave', data: 1 }),
    ).toEqual({ recipients: 1 });
    expect(await userEvent).toMatchObject({ event: 'wave', data: 1 });
    expect(first.running() && second.running()).toBe(true);
  }, 30_000);
});

function timeOf(line: string): number {
  return (JSON.parse(line) as { time: number }).time;
}
