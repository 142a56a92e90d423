import { closeAllClients, connectAs, ok, request } from './support/clients.js';
import { get } from './support/http.js';
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
