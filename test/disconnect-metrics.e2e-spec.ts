import { shutDown } from '../src/bootstrap.js';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { SessionEnds } from '../src/realtime/session-ends.js';
import { closeAllClients, connectAs, nextEvent, refusal } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { increases, scrape } from './support/metrics.js';
import { describeWithRedis } from './support/redis-server.js';
import { joined, newUser, tabsOn, ROOMS_TEST_ENV } from './support/rooms.js';
import { startServer, useServer } from './support/server.js';

const refusedUnauthorized = 'switchboard_handshakes_refused_total{reason="unauthorized"}';
const disconnects = (reason: string) => `switchboard_disconnects_total{reason="${reason}"}`;

describe('/metrics: refused handshakes and disconnects by reason', () => {
  const server = useServer(ROOMS_TEST_ENV);
  afterEach(() => closeAllClients());

  it('counts a handshake refused for a bad token under unauthorized', async () => {
    const before = await scrape(server.url);
    await refusal(server.url, { token: 'not.a.token' });
    await refusal(server.url, { name: 'x'.repeat(33) });

    const after = await scrape(server.url);
    expect(increases(before, after, [refusedUnauthorized])).toEqual({ [refusedUnauthorized]: 2 });
  });

  it('counts a socket that the client closes under client', async () => {
    const [alice, bob] = [await connectAs(server.url, 'alice'), await connectAs(server.url, 'bob')];
    await joined(alice, 'metrics-client');
    await joined(bob, 'metrics-client');
    const before = await scrape(server.url);
    // The server tells the room once it has counted the disconnect.
    const left = nextEvent(bob, 'room:left');

    alice.disconnect();
    await left;

    const after = await scrape(server.url);
    expect(increases(before, after, [disconnects('client'), disconnects('server')])).toEqual({
      [disconnects('client')]: 1,
      [disconnects('server')]: 0,
    });
  });

  it('counts sessions ended through session ends under their reason, one per socket', async () => {
    const tabs = await tabsOn([server.url, server.url], newUser('Kim'));
    const before = await scrape(server.url);
    const gone = tabs.map((tab) => nextEvent(tab, 'disconnect'));

    server.app.get(SessionEnds).endSessions({ userId: tabs[0].welcome.user.id }, 'kicked', 'out');
    await Promise.all(gone);

    const after = await scrape(server.url);
    expect(increases(before, after, [disconnects('kicked'), disconnects('server')])).toEqual({
      [disconnects('kicked')]: 2,
      [disconnects('server')]: 0,
    });
  });

  it('exposes every reason from the start, at 0 when nothing happened yet', async () => {
    const metrics = await scrape(server.url);
    for (const reason of [
      'rate_limited',
      'slow_reader',
      'token_expired',
      'replaced',
      'kicked',
      'client',
      'server',
    ]) {
      expect(metrics).toMatch(new RegExp(`^${escape(disconnects(reason))} \\d+$`, 'm'));
    }
    expect(metrics).toMatch(/^switchboard_handshakes_refused_total\{reason="rate_limited"\} \d+$/m);
  });
});

describe('/metrics at shutdown', () => {
  afterEach(() => closeAllClients());

  it('counts the connections that a shutdown drops under server', async () => {
    const running = await startServer();
    const metrics = running.app.get(MetricsService);
    await Promise.all([connectAs(running.url, 'alice'), connectAs(running.url, 'bob')]);

    await shutDown(running.app);

    const text = await metrics.render();
    expect(increases('', text, [disconnects('server'), disconnects('client')])).toEqual({
      [disconnects('server')]: 2,
      [disconnects('client')]: 0,
    });
  });
});

describeWithRedis('/metrics when another node ends the sessions', () => {
  const cluster = useCluster('disconnect-metrics', { size: 2 });
  afterEach(() => closeAllClients());

  it('counts each socket under the reason on the node that held it', async () => {
    const tabs = await tabsOn(cluster.urls, newUser('Lee'));
    const before = await Promise.all(cluster.urls.map(scrape));
    const gone = tabs.map((tab) => nextEvent(tab, 'disconnect'));

    cluster.apps[0]
      .get(SessionEnds)
      .endSessions({ userId: tabs[0].welcome.user.id }, 'replaced', 'newer');
    await Promise.all(gone);

    const after = await Promise.all(cluster.urls.map(scrape));
    for (const [node, text] of after.entries()) {
      expect(increases(before[node] ?? '', text, [disconnects('replaced')])).toEqual({
        [disconnects('replaced')]: 1,
      });
    }
  });
});

function escape(text: string): string {
  return text.replace(/[{}"]/g, (character) => `\\${character}`);
}
