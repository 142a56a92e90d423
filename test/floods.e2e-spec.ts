import type { ErrorEvent, SessionEnded } from '@switchboard/contract';
import {
  closeAllClients,
  collect,
  connectAs,
  nextEvent,
  request,
  type TestClient,
} from './support/clients.js';
import { uniqueId } from './support/identities.js';
import { failure, joined } from './support/rooms.js';
import { sampleOf, scrape } from './support/metrics.js';
import { useServer } from './support/server.js';

const QUIET_CLIENTS = 20;
/** Each quiet client pings this often: well inside the default rate limit of 20 a second. */
const PING_EVERY_MS = 100;
/** Generous on purpose: this machine runs the server, the flooder and the 20 clients at once. */
const QUIET_P99_BOUND_MS = 1000;

const PING_ROUNDS = 10;

/** Pings from every client every PING_EVERY_MS, PING_ROUNDS times; resolves with every latency. */
async function pingRounds(clients: TestClient[]): Promise<number[]> {
  const replies: Promise<number>[] = [];
  await new Promise<void>((resolve) => {
    let rounds = 0;
    const timer = setInterval(() => {
      for (const client of clients) {
        const sentAt = performance.now();
        replies.push(
          request(client, 'session:ping').then((reply) => {
            expect(reply).toMatchObject({ ok: true });
            return performance.now() - sentAt;
          }),
        );
      }
      rounds += 1;
      if (rounds < PING_ROUNDS) return;
      clearInterval(timer);
      resolve();
    }, PING_EVERY_MS);
  });
  return Promise.all(replies);
}

/** Emits `chat:send` without a callback as fast as the client can, until it is disconnected. */
function flood(socket: TestClient, room: string): void {
  const text = 'x'.repeat(2000);
  const burst = () => {
    if (!socket.connected) return;
    for (let index = 0; index < 200; index += 1) socket.emit('chat:send', { room, text });
    setImmediate(burst);
  };
  burst();
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

describe('floods (docs/protocol.md "Limits")', () => {
  const server = useServer();
  afterEach(() => closeAllClients());

  it('ends the session of a flooder within 6 s while 20 other clients keep answering', async () => {
    const room = uniqueId('room');
    const quiet = await Promise.all(
      Array.from({ length: QUIET_CLIENTS }, (_, index) => connectAs(server.url, `quiet${index}`)),
    );
    const flooder = await connectAs(server.url, 'flooder');
    await joined(flooder, room);
    const errors = collect<ErrorEvent>(flooder, 'error');
    const ended = nextEvent<SessionEnded>(flooder, 'session:ended', 6000);
    const disconnected = nextEvent<string>(flooder, 'disconnect', 6000);
    const latencies = pingRounds(quiet);

    flood(flooder, room);

    expect(await ended).toEqual({ reason: 'rate_limited', message: expect.any(String) });
    expect(await disconnected).toBe('io server disconnect');
    // The flood goes on being answered by at most one error event a second, not one per event.
    expect(errors.length).toBeLessThanOrEqual(7);
    expect(percentile(await latencies, 0.99)).toBeLessThan(QUIET_P99_BOUND_MS);
    expect(quiet.every((client) => client.connected)).toBe(true);
    expect(
      sampleOf(await scrape(server.url), 'switchboard_disconnects_total{reason="rate_limited"}'),
    ).toBe(1);
  });
});

describe('refused events without a callback', () => {
  const BURST = 200;
  // One token a second: within a test, the burst is all there is.
  const server = useServer({ RATE_LIMIT_PER_SEC: '1', RATE_LIMIT_BURST: String(BURST) });
  afterEach(() => closeAllClients());

  it('get one error event, not one each, and leave the socket connected when they are no flood', async () => {
    const alice = await connectAs(server.url, 'alice');
    const errors = collect<ErrorEvent>(alice, 'error');
    for (let index = 0; index < BURST; index += 1) alice.emit('session:ping');

    // Fewer refusals than the burst: over the rate limit, but no flood.
    for (let index = 0; index < BURST - 10; index += 1) alice.emit('session:ping');
    // Answered after every event sent before it, on the same connection.
    expect(await request(alice, 'session:ping')).toEqual(failure('RATE_LIMITED'));

    expect(errors).toEqual([
      { event: 'session:ping', code: 'RATE_LIMITED', message: expect.any(String) },
    ]);
    expect(alice.connected).toBe(true);
  });
});
