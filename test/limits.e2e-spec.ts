import { get as httpGet } from 'node:http';
import type { ErrorEvent } from '@switchboard/contract';
import {
  closeAllClients,
  connect,
  connectAs,
  nextEvent,
  nextNotification,
  ok,
  request,
} from './support/clients.js';
import { get } from './support/http.js';
import { freePort } from './support/redis-server.js';
import { inCommonRoom } from './support/rooms.js';
import { startServer, useServer } from './support/server.js';
import {
  closeAllClientsAndTransports,
  connectOver,
  type TransportName,
} from './support/transports.js';

describe('rate limit (RATE_LIMIT_PER_SEC, RATE_LIMIT_BURST)', () => {
  const BURST = 3;
  // One token a second refills too slowly to matter within a test: the burst is all there is.
  const server = useServer({
    RATE_LIMIT_PER_SEC: '1',
    RATE_LIMIT_BURST: String(BURST),
    NOTIFY_ACK_TIMEOUT_MS: '500',
  });
  afterEach(() => closeAllClients());

  it('answers the event beyond the burst with RATE_LIMITED', async () => {
    const alice = await connectAs(server.url, 'alice');

    const replies = await Promise.all(
      Array.from({ length: BURST + 1 }, () => request(alice, 'session:ping')),
    );

    expect(replies.slice(0, BURST)).toEqual(
      Array.from({ length: BURST }, () => ({ ok: true, data: { serverTime: expect.any(Number) } })),
    );
    expect(replies[BURST]).toEqual({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.any(String) },
    });
  });

  it('keeps the limited socket connected and reachable', async () => {
    const alice = await connectAs(server.url, 'alice');
    const bob = await connectAs(server.url, 'bob');
    // Present together, so that bob may notify alice: her join is the first event of her burst.
    await inCommonRoom(alice, bob);
    for (let index = 1; index < BURST; index += 1) await ok(alice, 'session:ping');
    expect(await request(alice, 'session:ping')).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });

    const received = nextNotification(alice);
    await ok(bob, 'notification:send', {
      target: { userId: alice.welcome.user.id },
      title: 'Still there?',
      body: 'yes',
    });

    expect((await received).title).toBe('Still there?');
    expect(alice.connected).toBe(true);
  });

  it('limits each socket on its own', async () => {
    const alice = await connectAs(server.url, 'alice');
    const bob = await connectAs(server.url, 'bob');
    for (let index = 0; index < BURST; index += 1) await ok(alice, 'session:ping');

    expect(await request(bob, 'session:ping')).toMatchObject({ ok: true });
  });

  it('sends the error event RATE_LIMITED for a limited event emitted without an ack', async () => {
    const alice = await connectAs(server.url, 'alice');
    for (let index = 0; index < BURST; index += 1) await ok(alice, 'session:ping');

    const error = nextEvent<ErrorEvent>(alice, 'error');
    alice.emit('session:ping');

    expect(await error).toEqual({
      event: 'session:ping',
      code: 'RATE_LIMITED',
      message: expect.any(String),
    });
  });
});

describe('MAX_PAYLOAD_BYTES', () => {
  const MAX_PAYLOAD_BYTES = 2000;
  const server = useServer({ MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES) });
  afterEach(() => closeAllClientsAndTransports());

  const tooBig = { room: 'lobby', text: 'x'.repeat(MAX_PAYLOAD_BYTES + 1) };

  it.each<TransportName>(['websocket', 'polling'])(
    'closes the connection that sends a bigger packet (%s), and only that one',
    async (transport) => {
      const alice = await connectOver(server.url, 'alice', [transport]);
      const bob = await connectOver(server.url, 'bob', [transport]);
      const aliceGone = nextEvent<string>(alice, 'disconnect');

      alice.emit('chat:send', tooBig);

      expect(await aliceGone).toMatch(/^transport (close|error)$/);
      expect(bob.connected).toBe(true);
      expect(await ok(bob, 'session:ping')).toEqual({ serverTime: expect.any(Number) });
    },
  );

  it('accepts a packet within the limit', async () => {
    const alice = await connectAs(server.url, 'alice');
    const room = await inCommonRoom(alice);
    const reply = await request(alice, 'notification:send', {
      target: { room },
      title: 'fits',
      body: 'x'.repeat(MAX_PAYLOAD_BYTES - 200),
    });
    expect(reply).toMatchObject({ ok: true });
  });
});

/**
 * How a Socket.IO handshake from a page on `origin` ends: `welcomed`, or `refused` when the
 * server turns the transport's request away (before Socket.IO, so no `unauthorized`). Browsers
 * send their page's origin on every handshake request, WebSocket included.
 */
async function handshakeFrom(
  url: string,
  origin: string | undefined,
  transport: TransportName = 'websocket',
): Promise<string> {
  const extraHeaders: Record<string, string> = origin === undefined ? {} : { origin };
  try {
    await connect(url, { name: 'page' }, { transports: [transport], extraHeaders });
    return 'welcomed';
  } catch (error) {
    return (error as { type?: unknown }).type === 'TransportError' ? 'refused' : String(error);
  }
}

describe('CORS_ORIGINS', () => {
  const handshake = '/socket.io/?EIO=4&transport=polling';
  const server = useServer({ CORS_ORIGINS: 'https://app.example, https://admin.example' });

  it.each([['https://app.example'], ['https://admin.example']])(
    'lets a browser on the listed origin %s read the Socket.IO handshake and the HTTP API',
    async (origin) => {
      for (const path of [handshake, '/health']) {
        const response = await get(server.url, path, { origin });
        expect(response.status).toBe(200);
        expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      }
    },
  );

  it('refuses a browser on another origin: no Access-Control-Allow-Origin for it', async () => {
    for (const path of [handshake, '/health']) {
      const response = await get(server.url, path, { origin: 'https://evil.example' });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('allows every origin when unset outside production', async () => {
    const development = await startServer();
    try {
      const response = await get(development.url, handshake, { origin: 'https://any.example' });
      expect(response.headers.get('access-control-allow-origin')).toBe('https://any.example');
    } finally {
      await development.close();
    }
  });

  it('refuses every other origin in production until origins are listed', async () => {
    const production = await startServer({ NODE_ENV: 'production' });
    try {
      for (const path of [handshake, '/health']) {
        const response = await get(production.url, path, { origin: 'https://any.example' });
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
      }
    } finally {
      await production.close();
    }
  });

  describe('on the Socket.IO handshake itself (browsers do not apply CORS to WebSocket)', () => {
    afterEach(() => closeAllClients());

    it.each<TransportName>(['websocket', 'polling'])(
      'refuses a client on another origin (%s)',
      async (transport) => {
        expect(await handshakeFrom(server.url, 'https://evil.example', transport)).toBe('refused');
      },
    );

    it('welcomes a client on a listed origin', async () => {
      expect(await handshakeFrom(server.url, 'https://app.example')).toBe('welcomed');
    });

    it('welcomes a client that sends no Origin (not a browser)', async () => {
      expect(await handshakeFrom(server.url, undefined)).toBe('welcomed');
    });

    it('refuses, in production, an origin that only the Host header names, its own page’s included', async () => {
      await inProduction(
        () => ({}),
        async (url) => {
          const forged = await pollingHandshake(url, {
            origin: 'http://evil.example',
            host: 'evil.example',
          });
          expect(forged).toEqual({ status: 403, allowOrigin: undefined });
          expect(await handshakeFrom(url, url)).toBe('refused');
        },
      );
    });

    it('welcomes, in production, a page on the origin of PUBLIC_URL, and no other', async () => {
      await inProduction(
        (url) => ({ PUBLIC_URL: `${url}/` }),
        async (url) => {
          expect(await handshakeFrom(url, url)).toBe('welcomed');
          expect(await handshakeFrom(url, 'https://any.example')).toBe('refused');
          const health = await get(url, '/health', { origin: url });
          expect(health.headers.get('access-control-allow-origin')).toBe(url);
        },
      );
    });

    it('welcomes a page on the origin of PUBLIC_URL beside the origins listed', async () => {
      await inProduction(
        (url) => ({ CORS_ORIGINS: 'https://app.example', PUBLIC_URL: url }),
        async (url) => {
          expect(await handshakeFrom(url, url)).toBe('welcomed');
          expect(await handshakeFrom(url, 'https://app.example')).toBe('welcomed');
          expect(await handshakeFrom(url, 'https://any.example')).toBe('refused');
        },
      );
    });
  });
});

/**
 * Runs `body` against a production server of its own, on a port known before it starts, so that
 * `envFor` may name the server's URL (as its PUBLIC_URL).
 */
async function inProduction(
  envFor: (url: string) => Record<string, string>,
  body: (url: string) => Promise<void>,
): Promise<void> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const production = await startServer({ NODE_ENV: 'production', ...envFor(url) }, undefined, port);
  try {
    await body(url);
  } finally {
    closeAllClients();
    await production.close();
  }
}

/**
 * A long-polling handshake sent with exactly these headers (fetch would not send a Host header of
 * its own choosing): its status and the Access-Control-Allow-Origin answered.
 */
function pollingHandshake(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number | undefined; allowOrigin: string | string[] | undefined }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    httpGet(
      { hostname, port, path: '/socket.io/?EIO=4&transport=polling', headers },
      (response) => {
        response.resume();
        response.once('end', () =>
          resolve({
            status: response.statusCode,
            allowOrigin: response.headers['access-control-allow-origin'],
          }),
        );
      },
    ).once('error', reject);
  });
}
