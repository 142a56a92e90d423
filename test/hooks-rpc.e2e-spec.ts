import { closeAllClients, connectAs, ok, request } from './support/clients.js';
import { until, useHookBackend } from './support/hook-backend.js';
import { sampleOf, scrape } from './support/metrics.js';
import { failure, validationFailure } from './support/rooms.js';
import { useServer } from './support/server.js';

/** Short for the hung backend's test, yet long enough for a first connection on a busy machine. */
const TIMEOUT_MS = 1000;

describe('rpc answered by the application backend', () => {
  const env: Record<string, string> = {
    HOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    HOOK_MAX_IN_FLIGHT: '4',
    RELAY_MAX_BYTES: '1024',
    MAX_PAYLOAD_BYTES: '4096',
  };
  const hooks = useHookBackend(env, ['rpc']);
  const server = useServer(env);
  afterEach(() => closeAllClients());

  it('replies with the data the backend answered, to a signed request naming the user', async () => {
    hooks.backend.answer('/rpc', ({ body }) => ({ body: { data: { total: 3, echo: body.data } } }));
    const alice = await connectAs(server.url, 'Alice');
    const bytes = Buffer.from([1, 2, 250]);

    const data = await ok(alice, 'rpc', { method: 'cart.total', data: { sku: 'x', bytes } });

    expect(data).toEqual({
      total: 3,
      echo: { sku: 'x', bytes: { $binary: bytes.toString('base64') } },
    });
    const [received] = hooks.backend.receivedAt('/rpc').slice(-1);
    expect(received.signed).toBe(true);
    expect(received.body).toEqual({
      user: alice.welcome.user,
      socketId: alice.welcome.socketId,
      method: 'cart.total',
      data: { sku: 'x', bytes: { $binary: bytes.toString('base64') } },
    });
  });

  it('replies data null to a 200 without data, and sends data null when the client gave none', async () => {
    hooks.backend.answer('/rpc', () => ({ body: {} }));
    const alice = await connectAs(server.url, 'Alice');

    expect(await request(alice, 'rpc', { method: 'ping' })).toEqual({ ok: true, data: null });
    expect(hooks.backend.receivedAt('/rpc').at(-1)?.body.data).toBeNull();
  });

  it("replies the backend's 4xx refusal as that error", async () => {
    const details = [{ field: 'sku', problems: ['unknown sku'] }];
    hooks.backend.answer('/rpc', ({ body }) =>
      body.method === 'invalid'
        ? { status: 422, body: { code: 'VALIDATION_FAILED', message: 'bad sku', details } }
        : { status: 404, body: { code: 'NOT_FOUND', message: 'no such cart' } },
    );
    const alice = await connectAs(server.url, 'Alice');

    expect(await request(alice, 'rpc', { method: 'invalid' })).toEqual({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: 'bad sku', details },
    });
    expect(await request(alice, 'rpc', { method: 'missing' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no such cart' },
    });
  });

  it.each([
    ['a 500', { status: 500, body: { data: 1 } }],
    ['malformed JSON', { raw: '{"data": ' }],
    [
      'a 4xx with a code outside the contract',
      { status: 400, body: { code: 'INTERNAL', message: 'x' } },
    ],
    [
      'a 4xx VALIDATION_FAILED without details',
      { status: 400, body: { code: 'VALIDATION_FAILED', message: 'x' } },
    ],
    ['a 200 that is not an object', { body: [1, 2] }],
    ['a redirect', { status: 302, body: {} }],
    ['an answer over MAX_PAYLOAD_BYTES', { body: { data: 'x'.repeat(5000) } }],
  ])('replies UNAVAILABLE to %s', async (_, answer) => {
    hooks.backend.answer('/rpc', () => answer);
    const alice = await connectAs(server.url, 'Alice');

    expect(await request(alice, 'rpc', { method: 'broken' })).toEqual(failure('UNAVAILABLE'));
  });

  it('replies UNAVAILABLE within HOOK_TIMEOUT_MS when the backend hangs, and counts it', async () => {
    hooks.backend.answer('/rpc', () => 'hang');
    const alice = await connectAs(server.url, 'Alice');
    const before = sampleOf(
      await scrape(server.url),
      'switchboard_hook_calls_total{hook="rpc",outcome="unavailable"}',
    );
    const started = Date.now();

    expect(await request(alice, 'rpc', { method: 'slow' })).toEqual(failure('UNAVAILABLE'));
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    const metrics = await scrape(server.url);
    expect(
      sampleOf(metrics, 'switchboard_hook_calls_total{hook="rpc",outcome="unavailable"}'),
    ).toBe(before + 1);
    expect(
      sampleOf(metrics, 'switchboard_hook_duration_seconds_count{hook="rpc"}'),
    ).toBeGreaterThan(0);
  });

  it('replies UNAVAILABLE at once beyond HOOK_MAX_IN_FLIGHT, and serves again once they end', async () => {
    const held: (() => void)[] = [];
    hooks.backend.answer('/rpc', ({ body }) =>
      body.method === 'held'
        ? new Promise((resolve) => held.push(() => resolve({ body: { data: 'late' } })))
        : { body: { data: 'now' } },
    );
    const alice = await connectAs(server.url, 'Alice');
    const waiting = [1, 2, 3, 4].map(() => request(alice, 'rpc', { method: 'held' }));
    await until(() => held.length === 4);

    expect(await request(alice, 'rpc', { method: 'more' })).toEqual(failure('UNAVAILABLE'));
    for (const release of held) release();
    expect(await Promise.all(waiting)).toEqual(Array(4).fill({ ok: true, data: 'late' }));
    expect(await request(alice, 'rpc', { method: 'more' })).toEqual({ ok: true, data: 'now' });
  });

  it('reuses a few connections for many calls (keep-alive)', async () => {
    hooks.backend.answer('/rpc', () => ({ body: { data: 1 } }));
    const alice = await connectAs(server.url, 'Alice');
    const before = hooks.backend.connections;

    for (let call = 0; call < 40; call += 1) await ok(alice, 'rpc', { method: 'count' });

    expect(hooks.backend.connections - before).toBeLessThanOrEqual(2);
  });

  it('refuses a bad method name or data over RELAY_MAX_BYTES without asking', async () => {
    const alice = await connectAs(server.url, 'Alice');
    const asked = hooks.backend.receivedAt('/rpc').length;

    expect(await request(alice, 'rpc', { method: 'has space' })).toEqual(
      validationFailure('method'),
    );
    expect(await request(alice, 'rpc', { method: 'big', data: 'x'.repeat(2000) })).toEqual(
      failure('PAYLOAD_TOO_LARGE'),
    );
    expect(hooks.backend.receivedAt('/rpc')).toHaveLength(asked);
  });
});

describe('rpc without HOOK_RPC_URL', () => {
  const server = useServer();
  afterEach(() => closeAllClients());

  it('replies NOT_FOUND', async () => {
    const alice = await connectAs(server.url, 'Alice');

    expect(await request(alice, 'rpc', { method: 'cart.total' })).toEqual(failure('NOT_FOUND'));
  });
});
