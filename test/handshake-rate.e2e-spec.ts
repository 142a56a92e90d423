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

/** How each of `count` handshakes sent at once ends: 'welcomed' or the refusal's message and data. */
async function handshakes(
  url: string,
  count: number,
  options: { forwardedFor?: string; auth?: Record<string, unknown> } = {},
): Promise<unknown[]> {
  const extraHeaders: Record<string, string> =
    options.forwardedFor === undefined ? {} : { 'x-forwarded-for': options.forwardedFor };
  return Promise.all(
    Array.from({ length: count }, () =>
      connect(url, options.auth ?? { name: 'guest' }, { extraHeaders }).then(
        () => 'welcomed',
        (error: Error & { data?: unknown }) => ({ message: error.message, data: error.data }),
      ),
    ),
  );
}

const welcomedCount = (outcomes: unknown[]) => outcomes.filter((o) => o === 'welcomed').length;

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

  it('refuses before looking at the credentials', async () => {
    const [refused] = await handshakes(server.url, 1, { auth: { token: 'not-a-token' } });
    expect(refused).toEqual(rateLimited);
  });

  it('takes no X-Forwarded-For for the address unless TRUST_PROXY says so', async () => {
    const [refused] = await handshakes(server.url, 1, { forwardedFor: '203.0.113.99' });
    expect(refused).toEqual(rateLimited);
  });
});

describe('HANDSHAKE_RATE_PER_IP behind a proxy (TRUST_PROXY=1)', () => {
  const server = useServer({ HANDSHAKE_RATE_PER_IP: String(RATE), TRUST_PROXY: '1' });
  afterEach(() => closeAllClients());

  it('limits each forwarded address on its own', async () => {
    const first = await handshakes(server.url, BURST + 2, { forwardedFor: '203.0.113.1' });
    expect(first).toContainEqual(rateLimited);

    const second = await handshakes(server.url, BURST, { forwardedFor: '203.0.113.2' });
    expect(second).toEqual(second.map(() => 'welcomed'));
  });

  it('believes only the entry its proxy wrote, not what the client put before it', async () => {
    const spoofed = await handshakes(server.url, BURST + 2, {
      forwardedFor: '198.51.100.1, 203.0.113.3',
    });
    const [refused] = await handshakes(server.url, 1, {
      forwardedFor: '198.51.100.2, 203.0.113.3',
    });
    expect(spoofed).toContainEqual(rateLimited);
    expect(refused).toEqual(rateLimited);
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
