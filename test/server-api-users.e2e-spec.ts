import { nextEvent } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { serverApi } from './support/http.js';
import { uniqueId } from './support/identities.js';
import { describeWithRedis } from './support/redis-server.js';
import { closeSessionClients, connectWithSession } from './support/session-events.js';
import { ROOMS_TEST_ENV, joined } from './support/rooms.js';
import { useServer } from './support/server.js';
import { signToken } from './support/tokens.js';

const API_KEY = 'a-test-api-key-of-some-length';

async function tabsOfOneUser(urls: string[]) {
  const userId = uniqueId('mallory');
  const token = await signToken({ sub: userId, name: 'Mallory' });
  return { userId, tabs: await Promise.all(urls.map((url) => connectWithSession(url, token))) };
}

describe('POST /api/users/{userId}/disconnect', () => {
  const server = useServer({ ...ROOMS_TEST_ENV, API_KEY });
  const api = serverApi(() => server.url, API_KEY);
  afterEach(closeSessionClients);

  it('ends every socket of the user with session:ended { reason: "kicked", message }', async () => {
    const { userId, tabs } = await tabsOfOneUser([server.url, server.url]);
    const bystander = (await tabsOfOneUser([server.url])).tabs[0];

    const response = await api.post(`/api/users/${encodeURIComponent(userId)}/disconnect`, {
      reason: 'spam',
    });

    expect(response).toMatchObject({ status: 200, body: { sockets: 2 } });
    for (const tab of tabs) {
      expect(await tab.session.take('session:ended')).toEqual({
        reason: 'kicked',
        message: 'spam',
      });
      expect(await tab.session.take('disconnect')).toBe('io server disconnect');
    }
    expect(bystander.connected).toBe(true);
  });

  it('says why with a default message, and answers 0 sockets for a user who is not connected', async () => {
    const { userId, tabs } = await tabsOfOneUser([server.url]);
    await api.post(`/api/users/${userId}/disconnect`, {});
    expect(await tabs[0].session.take('session:ended')).toEqual({
      reason: 'kicked',
      message: expect.any(String),
    });
    expect(await api.post(`/api/users/${uniqueId('nobody')}/disconnect`, {})).toMatchObject({
      status: 200,
      body: { sockets: 0 },
    });
  });

  it('returns the first answer again for a repeated idempotencyKey, and kicks nobody new', async () => {
    const { userId, tabs } = await tabsOfOneUser([server.url]);
    const body = { idempotencyKey: 'kick-1' };
    const first = await api.post(`/api/users/${userId}/disconnect`, body);
    await tabs[0].session.take('disconnect');
    const [returned] = (await tabsOfOneUser([server.url])).tabs;
    const again = await api.post(`/api/users/${userId}/disconnect`, body);
    expect(first).toMatchObject({ status: 200, body: { sockets: 1 } });
    expect(again).toMatchObject({ status: 200, body: first.body });
    expect(returned.connected).toBe(true);
  });

  it.each([
    ['a reason of 201 characters', { reason: 'r'.repeat(201) }],
    ['a reason that is not a string', { reason: 3 }],
  ])('answers 400 VALIDATION_FAILED for %s', async (_what, body) => {
    const response = await api.post('/api/users/someone/disconnect', body);
    expect(response).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });
});

describeWithRedis('the server API over two nodes and Redis', () => {
  const cluster = useCluster('server-api', { size: 2, env: { API_KEY } });
  const api = serverApi(() => cluster.urls[0], API_KEY);
  afterEach(closeSessionClients);

  it('kicks every socket of the user on every node, counting them all', async () => {
    const { userId, tabs } = await tabsOfOneUser([
      cluster.urls[0],
      cluster.urls[1],
      cluster.urls[1],
    ]);

    const response = await api.post(`/api/users/${userId}/disconnect`, { reason: 'bye' });

    expect(response).toMatchObject({ status: 200, body: { sockets: 3 } });
    for (const tab of tabs) {
      expect(await tab.session.take('session:ended')).toEqual({ reason: 'kicked', message: 'bye' });
      expect(await tab.session.take('disconnect')).toBe('io server disconnect');
    }
  });

  it('sends a posted message to the members on every node as chat:message, with the next offset', async () => {
    const room = uniqueId('lobby');
    const { tabs } = await tabsOfOneUser(cluster.urls);
    for (const tab of tabs) await joined(tab, room);
    const arriving = tabs.map((tab) => nextEvent(tab, 'chat:message'));

    const response = await api.post(`/api/rooms/${room}/messages`, { text: 'from a backend' });

    expect(response).toMatchObject({ status: 201, body: { room, offset: 1 } });
    expect(await Promise.all(arriving)).toEqual([response.body, response.body]);
  });

  it('pages through the rooms of every node with a cursor', async () => {
    const prefix = uniqueId('list');
    const rooms = [1, 2, 3, 4, 5].map((n) => `${prefix}-${n}`);
    const { tabs } = await tabsOfOneUser(cluster.urls);
    for (const [index, room] of rooms.entries()) await joined(tabs[index % 2], room);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const query = cursor === undefined ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const response = await serverApi(() => cluster.urls[1], API_KEY).get<{
        rooms: { room: string; members: number }[];
        cursor?: string;
      }>(`/api/rooms${query}`);
      expect(response.body.rooms.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.rooms.map((each) => each.room));
      cursor = response.body.cursor;
    } while (cursor !== undefined);

    expect(seen.filter((room) => room.startsWith(prefix))).toEqual(rooms);
  });
});
