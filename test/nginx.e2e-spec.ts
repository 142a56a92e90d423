import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import type { Message } from '@switchboard/contract';
import { connectAs, nextEvent, ok, type TestClient } from './support/clients.js';
import { uniqueId } from './support/identities.js';
import {
  describeWithNginx,
  Nginx,
  requestsTo,
  upstreamOf,
  type ArrivedRequest,
} from './support/nginx.js';
import { describeWithRedis, freePort, uniquePrefix } from './support/redis-server.js';
import { startRedisUnderTest, type RedisUnderTest } from './support/redis-under-test.js';
import { joined, sent } from './support/rooms.js';
import { startServer, type RunningServer } from './support/server.js';
import { closeAllClientsAndTransports, connectOver } from './support/transports.js';

/**
 * A WebSocket client whose connections come from 127.0.1.1. ip_hash hashes the first three bytes
 * of an IPv4 address, and nginx's hash sends 127.0.0.x to the upstream's first node and 127.0.1.x
 * to its second: so this client and one from 127.0.0.1 land on different nodes. engine.io-client
 * hands `localAddress` on to `ws`, though its types do not list it. `probe` tags its handshake.
 */
function fromAnotherNetwork(probe: string): Partial<ManagerOptions & SocketOptions> {
  const options: Partial<ManagerOptions & SocketOptions> & { localAddress: string } = {
    transports: ['websocket'],
    localAddress: '127.0.1.1',
    query: { probe },
  };
  return options;
}

describeWithRedis('nginx in front of two nodes', () => {
  describeWithNginx('deploy/nginx/switchboard.conf', () => {
    let redis: RedisUnderTest | undefined;
    let nginx: Nginx | undefined;
    const nodes: RunningServer[] = [];
    let arrived: ArrivedRequest[][] = [];

    beforeAll(async () => {
      redis = await startRedisUnderTest({});
      const proxyPort = await freePort();
      const env = {
        ...redis.env,
        REDIS_KEY_PREFIX: uniquePrefix('nginx'),
        // As in production: a page served through the proxy is allowed by PUBLIC_URL, never by Host.
        NODE_ENV: 'production',
        CORS_ORIGINS: 'https://app.example.com',
        PUBLIC_URL: `http://127.0.0.1:${proxyPort}`,
      };
      nodes.push(await startServer(env), await startServer(env));
      arrived = nodes.map((node) => requestsTo(node.app));
      nginx = await Nginx.start(
        nodes.map((node) => upstreamOf(node.url)),
        proxyPort,
      );
    });
    afterEach(() => closeAllClientsAndTransports());
    afterAll(async () => {
      await nginx?.stop();
      await Promise.all(nodes.map((node) => node.close()));
      await redis?.close();
    });

    const proxy = () => {
      if (!nginx) throw new Error('nginx is not started yet: use it inside a test or hook');
      return nginx.url;
    };
    /** The indexes of the nodes that received a request matching `predicate`. */
    const nodesReached = (predicate: (request: ArrivedRequest) => boolean) =>
      arrived.flatMap((requests, index) => (requests.some(predicate) ? [index] : []));
    const ofSession = (client: TestClient) => (request: ArrivedRequest) =>
      request.url.searchParams.get('sid') === client.io.engine.id;
    const withProbe = (probe: string) => (request: ArrivedRequest) =>
      request.url.searchParams.get('probe') === probe;

    it('keeps every long-polling request of a session on the node that opened it', async () => {
      const alice = await connectOver(proxy(), 'alice', ['polling']);
      for (let round = 0; round < 5; round += 1) await ok(alice, 'session:ping');

      expect(alice.io.engine.transport.name).toBe('polling');
      expect(nodesReached(ofSession(alice))).toHaveLength(1);
      const sessionRequests = arrived.flat().filter(ofSession(alice));
      expect(sessionRequests.length).toBeGreaterThanOrEqual(5);
    });

    it('passes the client address, scheme and host on, without closing upstream connections', async () => {
      const probe = uniqueId('probe');
      const response = await fetch(`${proxy()}/health?probe=${probe}`);
      expect(response.status).toBe(200);
      await response.arrayBuffer();

      const [request] = arrived.flat().filter(withProbe(probe));
      expect(request?.headers).toMatchObject({
        host: new URL(proxy()).host,
        'x-forwarded-for': '127.0.0.1',
        'x-real-ip': '127.0.0.1',
        'x-forwarded-proto': 'http',
      });
      expect(request?.headers).not.toHaveProperty('connection');
    });

    it('passes a WebSocket handshake on as an upgrade, with the same headers', async () => {
      const probe = uniqueId('probe');
      await connectAs(proxy(), 'bob', fromAnotherNetwork(probe));

      const [handshake] = arrived.flat().filter(withProbe(probe));
      expect(handshake?.headers).toMatchObject({
        upgrade: 'websocket',
        connection: 'upgrade',
        host: new URL(proxy()).host,
        'x-forwarded-for': '127.0.1.1',
        'x-forwarded-proto': 'http',
      });
    });

    it('lets a page served through nginx connect from its origin (PUBLIC_URL), and refuses others', async () => {
      const page = await connectAs(proxy(), 'page', { extraHeaders: { origin: proxy() } });
      expect(page.connected).toBe(true);
      await expect(
        connectAs(proxy(), 'elsewhere', { extraHeaders: { origin: 'https://elsewhere.example' } }),
      ).rejects.toThrow();
    });

    it('a long-polling client and a WebSocket client on different nodes chat both ways', async () => {
      const room = uniqueId('nginx');
      const probe = uniqueId('probe');
      const overPolling = await connectOver(proxy(), 'polling', ['polling']);
      const overWebSocket = await connectAs(proxy(), 'websocket', fromAnotherNetwork(probe));
      await joined(overPolling, room);
      await joined(overWebSocket, room);

      const toWebSocket = nextEvent<Message>(overWebSocket, 'chat:message');
      const fromPolling = await sent(overPolling, room, 'over long-polling');
      expect(await toWebSocket).toEqual(fromPolling);

      const toPolling = nextEvent<Message>(overPolling, 'chat:message');
      const fromWebSocket = await sent(overWebSocket, room, 'over WebSocket');
      expect(await toPolling).toEqual(fromWebSocket);

      const nodesServing = [
        ...nodesReached(ofSession(overPolling)),
        ...nodesReached(withProbe(probe)),
      ];
      expect(nodesServing.sort()).toEqual([0, 1]);
    });

    it('clients straight on each node and clients through nginx all get every message', async () => {
      const room = uniqueId('nginx');
      const clients = [
        await connectOver(proxy(), 'polling', ['polling']),
        await connectAs(proxy(), 'websocket', fromAnotherNetwork(uniqueId('probe'))),
        ...(await Promise.all(nodes.map((node, index) => connectAs(node.url, `node ${index}`)))),
      ];
      for (const client of clients) await joined(client, room);

      for (const sender of clients) {
        const others = clients.filter((client) => client !== sender);
        const received = others.map((client) => nextEvent<Message>(client, 'chat:message'));
        const message = await sent(sender, room, `from ${sender.welcome.user.name}`);
        expect(await Promise.all(received)).toEqual(others.map(() => message));
      }
    });
  });
});
