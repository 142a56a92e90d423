import { closeAllClients, connectAs, ok, request } from './support/clients.js';
import { bearer, get } from './support/http.js';
import { sampleOf } from './support/metrics.js';
import { useServer } from './support/server.js';

describe('HTTP operations', () => {
  const server = useServer();
  afterEach(() => closeAllClients());

  it('GET /health answers 200 { status: "ok" }', async () => {
    const response = await get(server.url, '/health');
    expect(response).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(response.contentType).toMatch(/^application\/json/);
  });

  it('GET /health/ready answers 200 when no dependency is configured', async () => {
    const response = await get(server.url, '/health/ready');
    expect(response.status).toBe(200);
  });

  describe('GET /metrics', () => {
    it('answers in the Prometheus text format', async () => {
      const response = await get(server.url, '/metrics');
      expect(response.status).toBe(200);
      expect(response.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    });

    it('counts connected sockets', async () => {
      const before = sampleOf(await scrape(), 'switchboard_connected_sockets');
      await connectAs(server.url, 'alice');
      await connectAs(server.url, 'bob');

      const after = sampleOf(await scrape(), 'switchboard_connected_sockets');

      expect(after - before).toBe(2);
    });

    it('counts events received and sent by name, replies by code, and reply latency', async () => {
      const alice = await connectAs(server.url, 'alice');
      const before = await scrape();
      await ok(alice, 'session:ping');
      await request(alice, 'room:leave', { room: 'nowhere' });
      await request(alice, 'no:such-event');

      const after = await scrape();

      const increase = (sample: string) => sampleOf(after, sample) - sampleOf(before, sample);
      expect(increase('switchboard_events_received_total{event="session:ping"}')).toBe(1);
      expect(increase('switchboard_events_received_total{event="room:leave"}')).toBe(1);
      expect(increase('switchboard_events_received_total{event="unknown"}')).toBe(1);
      expect(increase('switchboard_replies_total{code="OK"}')).toBeGreaterThanOrEqual(1);
      expect(increase('switchboard_replies_total{code="NOT_FOUND"}')).toBe(1);
      expect(increase('switchboard_replies_total{code="UNKNOWN_EVENT"}')).toBe(1);
      expect(increase('switchboard_reply_duration_seconds_count')).toBeGreaterThanOrEqual(3);
      expect(sampleOf(after, 'switchboard_events_sent_total{event="welcome"}')).toBeGreaterThan(0);
      expect(after).toContain('switchboard_reply_duration_seconds_bucket{le="+Inf"}');
    });

    it('answers a page on any origin without CORS headers, although every origin is allowed', async () => {
      const origin = 'https://evil.example';
      const scraped = await get(server.url, '/metrics', { origin });
      const preflight = await fetch(new URL('/metrics', server.url), {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      });

      expect(scraped.status).toBe(200);
      expect(corsHeadersOf(scraped.headers)).toEqual([]);
      expect(corsHeadersOf(preflight.headers)).toEqual([]);
      expect(
        (await get(server.url, '/health', { origin })).headers.get('access-control-allow-origin'),
      ).toBe(origin);
    });

    async function scrape(): Promise<string> {
      return (await get<string>(server.url, '/metrics')).body;
    }
  });

  it('GET / serves the built-in browser client (the console) as HTML', async () => {
    const response = await get<string>(server.url, '/');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^text\/html/);
    expect(response.body).toMatch(/<html/i);
    expect(response.body).toContain('<script type="module" src="/app.js">');
  });

  it('GET /client/switchboard.js serves the client library as an ES module', async () => {
    const response = await get<string>(server.url, '/client/switchboard.js');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/javascript/);
    expect(response.body).toMatch(/\bexport\s*\{/);
  });

  it('GET /socket.io/socket.io.js serves the Socket.IO client bundle', async () => {
    const response = await get<string>(server.url, '/socket.io/socket.io.js');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/javascript/);
    expect(response.body).toContain('Socket.IO v4');
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const METRICS_TOKEN = 'a-metrics-token-of-some-length';
  const server = useServer({ METRICS_TOKEN, CORS_ORIGINS: 'https://app.example' });

  it('answers a scrape with Authorization: Bearer <METRICS_TOKEN>', async () => {
    const response = await get<string>(server.url, '/metrics', {
      authorization: bearer(METRICS_TOKEN),
    });
    expect(response.status).toBe(200);
    expect(response.body).toContain('switchboard_connected_sockets');
  });

  it.each([
    ['no Authorization header', {}],
    ['another token', { authorization: bearer(`${METRICS_TOKEN}-not`) }],
    ['the token without Bearer', { authorization: METRICS_TOKEN }],
  ])(
    'refuses a scrape with %s as 401 UNAUTHORIZED, with no metric in it',
    async (_case, headers) => {
      const response = await get<{ code: string }>(server.url, '/metrics', headers);
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(JSON.stringify(response.body)).not.toContain('switchboard_');
    },
  );

  it.each(['/METRICS', '/metrics/'])(
    'guards %s too, and answers it without CORS headers',
    async (path) => {
      const origin = 'https://app.example';
      expect((await get(server.url, path, { origin })).status).toBe(401);
      const allowed = await get(server.url, path, { origin, authorization: bearer(METRICS_TOKEN) });
      expect(allowed.status).toBe(200);
      expect(corsHeadersOf(allowed.headers)).toEqual([]);
    },
  );

  it('answers even a listed origin without CORS headers', async () => {
    const response = await get(server.url, '/metrics', {
      origin: 'https://app.example',
      authorization: bearer(METRICS_TOKEN),
    });
    expect(response.status).toBe(200);
    expect(corsHeadersOf(response.headers)).toEqual([]);
  });
});

/** The names of the CORS headers in an answer. */
function corsHeadersOf(headers: Headers): string[] {
  return [...headers.keys()].filter((name) => name.startsWith('access-control-'));
}
