import type { Message, MessagePage } from '@switchboard/contract';
import { closeAllClients, connectAs, nextEvent } from './support/clients.js';
import { serverApi } from './support/http.js';
import { uniqueId } from './support/identities.js';
import {
  caughtUp,
  guestsIn,
  joined,
  offsetsOf,
  ROOMS_TEST_ENV,
  sent,
  sentInOrder,
  sortedById,
} from './support/rooms.js';
import { useServer } from './support/server.js';

const API_KEY = 'a-test-api-key-of-some-length';

describe('the server API on rooms', () => {
  const server = useServer({ ...ROOMS_TEST_ENV, API_KEY });
  const api = serverApi(() => server.url, API_KEY);
  afterEach(closeAllClients);

  describe('POST /api/rooms/{room}/messages', () => {
    it('stores the message with the next offset and sends it to every member as chat:message', async () => {
      const room = uniqueId('lobby');
      const [ann, bob] = await guestsIn(server.url, room, 'Ann', 'Bob');
      await sent(ann, room, 'before');
      const arriving = [
        nextEvent<Message>(ann, 'chat:message'),
        nextEvent<Message>(bob, 'chat:message'),
      ];

      const response = await api.post<Message>(`/api/rooms/${room}/messages`, {
        text: '  deployed  ',
      });

      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        room,
        offset: 2,
        user: { id: 'system', name: 'System' },
        text: 'deployed',
        ts: expect.any(Number),
      });
      expect(await Promise.all(arriving)).toEqual([response.body, response.body]);
    });

    it('sends as the given user, and takes a URL-encoded room name', async () => {
      const room = `ops:${uniqueId('alerts')}`;
      const [ann] = await guestsIn(server.url, room, 'Ann');
      const arriving = nextEvent<Message>(ann, 'chat:message');
      const user = { id: 'bot-7', name: 'Deploy bot' };

      const response = await api.post(`/api/rooms/${encodeURIComponent(room)}/messages`, {
        text: 'hi',
        user,
      });

      expect(response).toMatchObject({ status: 201, body: { room, user, offset: 1 } });
      expect(await arriving).toMatchObject({ room, user });
    });

    it('removes control and format characters from the given user’s name, as from a token’s', async () => {
      const room = uniqueId('lobby');
      const user = { id: 'bot-8', name: ' Deploy\u202E\n\u200Bbot ' };

      const response = await api.post(`/api/rooms/${room}/messages`, { text: 'hi', user });

      expect(response).toMatchObject({
        status: 201,
        body: { room, user: { id: 'bot-8', name: 'Deploybot' } },
      });
    });

    it('returns the first message again for a repeated clientMsgId, and sends nothing more', async () => {
      const room = uniqueId('lobby');
      const [ann] = await guestsIn(server.url, room, 'Ann');
      const body = { text: 'once', clientMsgId: 'c-1' };
      const first = await api.post<Message>(`/api/rooms/${room}/messages`, body);
      const arrived: Message[] = [];
      ann.on('chat:message', (message: Message) => arrived.push(message));

      const again = await api.post(`/api/rooms/${room}/messages`, body);
      await caughtUp(ann);

      expect(again).toMatchObject({ status: 201, body: first.body });
      expect(arrived).toEqual([]);
    });

    it('answers 409 CONFLICT for a clientMsgId used for another text', async () => {
      const room = uniqueId('lobby');
      await api.post(`/api/rooms/${room}/messages`, { text: 'one', clientMsgId: 'c-1' });
      const response = await api.post(`/api/rooms/${room}/messages`, {
        text: 'two',
        clientMsgId: 'c-1',
      });
      expect(response).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    });

    it.each([
      ['an empty text', { text: '   ' }, 'text'],
      ['a text of 4001 characters', { text: 'x'.repeat(4001) }, 'text'],
      ['a clientMsgId of 65 characters', { text: 't', clientMsgId: 'c'.repeat(65) }, 'clientMsgId'],
      ['a user without a name', { text: 't', user: { id: 'bot' } }, 'user.name'],
      [
        'a user whose name is only control characters',
        { text: 't', user: { id: 'bot', name: '\u0000\u202E' } },
        'user.name',
      ],
      [
        'an idempotencyKey of 65 characters',
        { text: 't', idempotencyKey: 'k'.repeat(65) },
        'idempotencyKey',
      ],
    ])('answers 400 VALIDATION_FAILED for %s', async (_what, body, field) => {
      const response = await api.post(`/api/rooms/${uniqueId('r')}/messages`, body);
      expect(response).toMatchObject({
        status: 400,
        body: {
          code: 'VALIDATION_FAILED',
          details: [{ field, problems: expect.arrayContaining([expect.any(String)]) }],
        },
      });
    });

    it.each(['user:someone', 'a%20b', 'x'.repeat(65)])(
      'answers 400 for the room name %s',
      async (room) => {
        const response = await api.post(`/api/rooms/${room}/messages`, { text: 't' });
        expect(response).toMatchObject({
          status: 400,
          body: { code: 'VALIDATION_FAILED', details: [{ field: 'room' }] },
        });
      },
    );
  });

  describe('GET /api/rooms/{room}/members', () => {
    it('lists the users present, without being in the room', async () => {
      const room = uniqueId('lobby');
      const [ann, bob] = await guestsIn(server.url, room, 'Ann', 'Bob');
      const response = await api.get(`/api/rooms/${room}/members`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ room });
      expect(sortedById((response.body as { members: Message['user'][] }).members)).toEqual(
        sortedById([ann.welcome.user, bob.welcome.user]),
      );
    });

    it('answers an empty list for a room nobody is in, and 400 for a bad room name', async () => {
      expect(await api.get('/api/rooms/empty-room/members')).toMatchObject({
        status: 200,
        body: { room: 'empty-room', members: [] },
      });
      expect((await api.get('/api/rooms/user:x/members')).status).toBe(400);
    });
  });

  describe('GET /api/rooms/{room}/messages', () => {
    it('pages exactly like chat:history', async () => {
      const room = uniqueId('lobby');
      const [ann] = await guestsIn(server.url, room, 'Ann');
      await sentInOrder(ann, room, 7);
      const page = async (query: string) =>
        (await api.get<MessagePage>(`/api/rooms/${room}/messages${query}`)).body;

      const latest = await page('?limit=3');
      expect({ offsets: offsetsOf(latest.messages), hasMore: latest.hasMore }).toEqual({
        offsets: [5, 6, 7],
        hasMore: true,
      });
      const after = await page('?after=2&limit=2');
      expect([offsetsOf(after.messages), after.hasMore]).toEqual([[3, 4], true]);
      const before = await page('?before=3');
      expect([offsetsOf(before.messages), before.hasMore]).toEqual([[1, 2], false]);
      expect(offsetsOf((await page('')).messages)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it.each(['?limit=101', '?limit=0', '?after=-1', '?after=two', '?before=1.5'])(
      'answers 400 VALIDATION_FAILED for %s',
      async (query) => {
        const response = await api.get(`/api/rooms/lobby/messages${query}`);
        expect(response).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
      },
    );
  });

  describe('GET /api/rooms', () => {
    it('pages through the rooms with present users with a cursor, with members and lastOffset', async () => {
      const prefix = uniqueId('list');
      const rooms = [1, 2, 3, 4, 5].map((n) => `${prefix}-${n}`);
      const [ann, bob] = await Promise.all([
        connectAs(server.url, 'Ann'),
        connectAs(server.url, 'Bob'),
      ]);
      for (const room of rooms) await joined(ann, room);
      await joined(bob, rooms[0]);
      await sent(ann, rooms[0], 'hello');

      const seen: { room: string; members: number; lastOffset: number }[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const query = cursor === undefined ? '?limit=2' : `?limit=2&cursor=${cursor}`;
        const response = await api.get<{ rooms: typeof seen; cursor?: string }>(
          `/api/rooms${query}`,
        );
        expect(response.status).toBe(200);
        expect(response.body.rooms.length).toBeLessThanOrEqual(2);
        seen.push(...response.body.rooms);
        cursor = response.body.cursor;
        pages += 1;
      } while (cursor !== undefined);

      const ours = seen.filter((each) => each.room.startsWith(prefix));
      expect(ours).toEqual([
        { room: rooms[0], members: 2, lastOffset: 1 },
        ...rooms.slice(1).map((room) => ({ room, members: 1, lastOffset: 0 })),
      ]);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(new Set(seen.map((each) => each.room)).size).toBe(seen.length);
    });

    it.each(['?limit=501', '?limit=0', '?cursor=not*a*cursor'])(
      'answers 400 for %s',
      async (query) => {
        const response = await api.get(`/api/rooms${query}`);
        expect(response).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
      },
    );
  });
});
