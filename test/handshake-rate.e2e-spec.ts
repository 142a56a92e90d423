import { io } from 'socket.io-client';
import { closeAllClients, connect } from './support/clients.js';
import { sampleOf, scrape } from './support/metrics.js';
import { useServer } from './support/server.js';
import { TEST_JWT_SECRET } from './support/tokens.js';

/** One new connection a second, in bursts of up to two. */
const RATE = 1;
const BURST = 2 * RATE;

const rateLimited = { message: 'rate_limited', data: { code: 'RATE_LIMITED' } };
const REFUSED_AS_RATE_LIMITED = 'switchboard_handshakes_refused_total{reason="rate_limited"}';

/**
 * How each of `count` handshakes sent at once ends: 'welcomed' or the refusal's message and data.
 * `forwardedFor` gives the X-Forwarded-For of the i-th handshake.
 */
async function handshakes(
  url: string,
  count: number,
  options: { forwardedFor?: (index: number) => string; auth?: Record<string, unknown> } = {},
): Promise<unknown[]> {
  return Promise.all(
    Array.from({ length: count }, (_, index) =>
      connect(url, options.auth ?? { name: 'guest' }, {
        extraHeaders:
          options.forwardedFor === undefined
            ? {}
            : { 'x-forwarded-for': options.forwardedFor(index) },
      }).then(
        () => 'welcomed',
        (error: Error & { data?: unknown }) => ({ message: error.message, data: error.data }),
      ),
    ),
  );
}

const welcomedCount = (outcomes: unknown[]) => outcomes.filter((o) => o === 'welcomed').length;
const refusedCount = (outcomes: unknown[]) =>
  outcomes.filter((outcome) => JSON.stringify(outcome) === JSON.stringify(rateLimited)).length;
/** Refusals that one burst of `count` must get, however slow the machine (one token may flow back in). */
const atLeastRefused = (count: number) => count - BURST - 1;

describe('HANDSHAKE_RATE_PER_IP', () => {
  const server = useServer({
    HANDSHAKE_RATE_PER_IP: String(RATE),
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
  });
  afterEach(() => closeAllClients());

  it('refuses a burst from one address beyond twice the rate as rate_limited', async () => {
    const outcomes = await handshakes(server.url, BURST + 4);

    // A slow machine may let a token flow back in during the burst: at most one more.
    expect(welcomedCount(outcomes)).toBeGreaterThanOrEqual(BURST);
    expect(welcomedCount(outcomes)).toBeLessThanOrEqual(BURST + 1);
    const refused = outcomes.filter((outcome) => outcome !== 'welcomed');
    expect(refused).toEqual(refused.map(() => rateLimited));
    expect(sampleOf(await scrape(server.url), REFUSED_AS_RATE_LIMITED)).toBe(refused.length);
  });

  // Each test below is one burst, so that what it shows does not depend on the time between tests.
  it('refuses before looking at the credentials', async () => {
    const outcomes = await handshakes(server.url, BURST + 3, { auth: { token: 'not-a-token' } });
    expect(refusedCount(outcomes)).toBeGreaterThanOrEqual(atLeastRefused(BURST + 3));
  });

  it('takes no X-Forwarded-For for the address unless TRUST_PROXY says so', async () => {
    const outcomes = await handshakes(server.url, BURST + 3, {
      forwardedFor: (index) => `203.0.113.${10 + index}`,
    });
    expect(refusedCount(outcomes)).toBeGreaterThanOrEqual(atLeastRefused(BURST + 3));
  });
});

describe('HANDSHAKE_RATE_PER_IP behind a proxy (TRUST_PROXY=1)', () => {
  const server = useServer({ HANDSHAKE_RATE_PER_IP: String(RATE), TRUST_PROXY: '1' });
  afterEach(() => closeAllClients());

  it('limits each forwarded address on its own', async () => {
    const first = await handshakes(server.url, BURST + 2, { forwardedFor: () => '203.0.113.1' });
    expect(first).toContainEqual(rateLimited);

    const second = await handshakes(server.url, BURST, { forwardedFor: () => '203.0.113.2' });
    expect(second).toEqual(second.map(() => 'welcomed'));
  });

  it('believes only the entry its proxy wrote, not what the client put before it', async () => {
    const spoofed = await handshakes(server.url, BURST + 3, {
      forwardedFor: (index) => `198.51.100.${index}, 203.0.113.3`,
    });
    expect(refusedCount(spoofed)).toBeGreaterThanOrEqual(atLeastRefused(BURST + 3));
  });
});

describe('reconnecting after a rate-limited handshake', () => {
  const server = useServer({ HANDSHAKE_RATE_PER_IP: String(RATE) });
  afterEach(() => closeAllClients());

  it('is not retried by socket.io-client by itself, as the refusal is a middleware error', async () => {
    await handshakes(server.url, BURST);
    const socket = io(server.url, { transports: ['websocket'], forceNew: true });
    const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    expect(error.message).toBe('rate_limited');
    expect(socket.active).toBe(false);
    socket.close();
  });
});
