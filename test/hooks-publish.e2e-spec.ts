import type { Message, RoomEvent } from '@switchboard/contract';
import { closeAllClients, collect, nextEvent, ok, request } from './support/clients.js';
import type { HookAnswer, ReceivedHook } from './support/hook-backend.js';
import { useHookBackend } from './support/hook-backend.js';
import { uniqueId } from './support/identities.js';
import { caughtUp, failure, guestsIn, history, sent } from './support/rooms.js';
import { useServer } from './support/server.js';

describe('the publish hook', () => {
  // A timeout short for the hung backend's test, yet long enough for a first connection on a busy machine.
  const env: Record<string, string> = {
    HOOK_PUBLISH_ROOMS: 'moderated-*',
    HOOK_TIMEOUT_MS: '1000',
  };
  const hooks = useHookBackend(env, ['publish']);
  const server = useServer(env);
  afterEach(() => closeAllClients());

  const answering = (responder: (request: ReceivedHook) => HookAnswer) =>
    hooks.backend.answer('/publish', responder);
  const askedCount = () => hooks.backend.receivedAt('/publish').length;
  const room = () => uniqueId('moderated');

  describe('chat:send', () => {
    it('stores and broadcasts an allowed message, after a signed request describing it', async () => {
      answering(() => ({ body: { allow: true } }));
      const name = room();
      const [alice, bob] = await guestsIn(server.url, name, 'Alice', 'Bob');
      const toBob = nextEvent<Message>(bob, 'chat:message');

      const message = await sent(alice, name, 'hello', 'c-1');

      expect(message).toMatchObject({ text: 'hello', offset: 1 });
      expect(await toBob).toEqual(message);
      const [asked] = hooks.backend.receivedAt('/publish').slice(-1);
      expect(asked.signed).toBe(true);
      expect(asked.body).toEqual({
        user: alice.welcome.user,
        room: name,
        kind: 'message',
        text: 'hello',
        clientMsgId: 'c-1',
      });
    });

    it('stores the text the backend put in its place', async () => {
      answering(({ body }) => ({
        body: { allow: true, text: String(body.text).replace('darn', '****') },
      }));
      const name = room();
      const [alice, bob] = await guestsIn(server.url, name, 'Alice', 'Bob');
      const toBob = nextEvent<Message>(bob, 'chat:message');

      const message = await sent(alice, name, 'oh darn');

      expect(message.text).toBe('oh ****');
      expect((await toBob).text).toBe('oh ****');
    });

    it('answers a refusal with its code, stores nothing and sends nothing', async () => {
      answering(({ body }) =>
        body.text === 'spam'
          ? { body: { allow: false, message: 'no spam here' } }
          : { body: { allow: false, code: 'VALIDATION_FAILED', message: 'too shouty' } },
      );
      const name = room();
      const [alice, bob] = await guestsIn(server.url, name, 'Alice', 'Bob');
      const toBob = collect(bob, 'chat:message');

      expect(await request(alice, 'chat:send', { room: name, text: 'spam' })).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: 'no spam here' },
      });
      expect(await request(alice, 'chat:send', { room: name, text: 'HEY' })).toEqual({
        ok: false,
        error: {
          code: 'VALIDATION_FAILED',
          message: 'too shouty',
          details: [{ field: 'text', problems: ['too shouty'] }],
        },
      });
      await caughtUp(bob);
      expect(toBob).toEqual([]);
      expect((await history(alice, { room: name })).messages).toEqual([]);
    });

    it.each<[string, HookAnswer]>([
      ['a 500', { status: 500, body: { allow: true } }],
      ['malformed JSON', { raw: 'allow' }],
      ['an unknown refusal code', { body: { allow: false, code: 'INTERNAL' } }],
      ['an empty replacement text', { body: { allow: true, text: '  ' } }],
      ['no answer in time', 'hang'],
    ])('answers UNAVAILABLE to %s, storing nothing', async (_, answer) => {
      answering(() => answer);
      const name = room();
      const [alice] = await guestsIn(server.url, name, 'Alice');

      expect(await request(alice, 'chat:send', { room: name, text: 'hi' })).toEqual(
        failure('UNAVAILABLE'),
      );
      expect((await history(alice, { room: name })).messages).toEqual([]);
    });

    it('answers a retried clientMsgId with the stored message without asking again', async () => {
      let answers = 0;
      answering(() => ({ body: { allow: true, text: `cleaned ${(answers += 1)}` } }));
      const name = room();
      const [alice] = await guestsIn(server.url, name, 'Alice');
      const first = await sent(alice, name, 'original', 'retry-1');
      const asked = askedCount();

      expect(await sent(alice, name, 'original', 'retry-1')).toEqual(first);
      expect(
        await request(alice, 'chat:send', { room: name, text: 'other', clientMsgId: 'retry-1' }),
      ).toEqual(failure('CONFLICT'));
      expect(askedCount()).toBe(asked);
      expect(first.text).toBe('cleaned 1');
    });

    it('does not ask for rooms outside HOOK_PUBLISH_ROOMS', async () => {
      const name = uniqueId('open');
      const [alice] = await guestsIn(server.url, name, 'Alice');
      const asked = askedCount();

      expect((await sent(alice, name, 'free speech')).text).toBe('free speech');
      expect(askedCount()).toBe(asked);
    });
  });

  describe('room:emit', () => {
    it('relays the data the backend put in its place, binary as binary', async () => {
      answering(() => ({ body: { allow: true, data: { blurred: { $binary: 'AQID' } } } }));
      const name = room();
      const [alice, bob] = await guestsIn(server.url, name, 'Alice', 'Bob');
      const toBob = nextEvent<RoomEvent>(bob, 'room:event');

      await ok(alice, 'room:emit', { room: name, event: 'frame', data: { raw: Buffer.from([9]) } });

      expect((await toBob).data).toEqual({ blurred: Buffer.from([1, 2, 3]) });
      expect(hooks.backend.receivedAt('/publish').at(-1)?.body).toEqual({
        user: alice.welcome.user,
        room: name,
        kind: 'event',
        event: 'frame',
        data: { raw: { $binary: 'CQ==' } },
      });
    });

    it('relays the data as sent when the backend allows it without a replacement', async () => {
      answering(() => ({ body: { allow: true } }));
      const name = room();
      const [alice, bob] = await guestsIn(server.url, name, 'Alice', 'Bob');
      const toBob = nextEvent<RoomEvent>(bob, 'room:event');

      await ok(alice, 'room:emit', { room: name, event: 'move', data: { x: 1 } });

      expect((await toBob).data).toEqual({ x: 1 });
    });

    it('relays nothing when the backend refuses, or answers against the contract', async () => {
      answering(({ body }) =>
        body.event === 'refused'
          ? { body: { allow: false, code: 'VALIDATION_FAILED', message: 'bad move' } }
          : { body: { allow: true, data: { bad: { $binary: '***' } } } },
      );
      const name = room();
      const [alice, bob] = await guestsIn(server.url, name, 'Alice', 'Bob');
      const toBob = collect(bob, 'room:event');

      expect(await request(alice, 'room:emit', { room: name, event: 'refused' })).toEqual({
        ok: false,
        error: {
          code: 'VALIDATION_FAILED',
          message: 'bad move',
          details: [{ field: 'data', problems: ['bad move'] }],
        },
      });
      expect(await request(alice, 'room:emit', { room: name, event: 'garbled' })).toEqual(
        failure('UNAVAILABLE'),
      );
      await caughtUp(bob);
      expect(toBob).toEqual([]);
    });
  });
});
