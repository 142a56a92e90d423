import { AppError } from '../common/app-error.js';
import type { FakeDelivery } from '../../test/support/fake-realtime.js';
import { createServices } from '../../test/support/services.js';
import type { Message, User } from '@switchboard/contract';
import { ChatService } from './chat.service.js';
import { RoomsService } from './rooms.service.js';

const alice: User = { id: 'alice', name: 'Alice' };
const bob: User = { id: 'bob', name: 'Bob' };

describe('ChatService', () => {
  let chat: ChatService;
  let rooms: RoomsService;
  let delivery: FakeDelivery;

  beforeEach(async () => {
    const services = await createServices();
    delivery = services.delivery;
    chat = services.moduleRef.get(ChatService);
    rooms = services.moduleRef.get(RoomsService);
    await rooms.join(alice, 'a1', 'lobby');
    await rooms.join(bob, 'b1', 'lobby');
  });

  it('stores a message with the next offset and sends it to the room but the sender', async () => {
    const message = await chat.send(alice, 'a1', { room: 'lobby', text: 'hello' }, alice.id);
    expect(message).toEqual({
      id: expect.any(String),
      room: 'lobby',
      offset: 1,
      user: alice,
      text: 'hello',
      ts: expect.any(Number),
    });
    expect(delivery.eventsNamed('chat:message')).toEqual([
      {
        audience: { room: 'lobby' },
        event: 'chat:message',
        payload: message,
        options: { except: { socketId: 'a1' } },
      },
    ]);
    expect((await chat.send(bob, 'b1', { room: 'lobby', text: 'hi' }, bob.id)).offset).toBe(2);
  });

  it('refuses a message to a room the socket is not in', async () => {
    await expect(
      chat.send(alice, 'a2', { room: 'lobby', text: 'hello' }, alice.id),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      chat.send(alice, 'a1', { room: 'elsewhere', text: 'hello' }, alice.id),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('answers a retry, even from another socket of the user, with the first message and broadcasts nothing more', async () => {
    const first = await chat.send(
      alice,
      'a1',
      { room: 'lobby', text: 'hello', clientMsgId: 'c1' },
      alice.id,
    );
    await rooms.join(alice, 'a2', 'lobby');
    expect(
      await chat.send(alice, 'a1', { room: 'lobby', text: 'hello', clientMsgId: 'c1' }, alice.id),
    ).toEqual(first);
    expect(
      await chat.send(alice, 'a2', { room: 'lobby', text: 'hello', clientMsgId: 'c1' }, alice.id),
    ).toEqual(first);
    expect(delivery.eventsNamed('chat:message')).toHaveLength(1);
  });

  it('answers CONFLICT for a reused clientMsgId with another text', async () => {
    await chat.send(alice, 'a1', { room: 'lobby', text: 'hello', clientMsgId: 'c1' }, alice.id);
    await expect(
      chat.send(alice, 'a1', { room: 'lobby', text: 'other', clientMsgId: 'c1' }, alice.id),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('sends typing to the others as a volatile event', () => {
    expect(chat.typing(alice, 'a1', { room: 'lobby', typing: true })).toEqual({});
    expect(delivery.eventsNamed('chat:typing')).toEqual([
      {
        audience: { room: 'lobby' },
        event: 'chat:typing',
        payload: { room: 'lobby', user: alice, typing: true },
        options: { except: { userId: 'alice' }, volatile: true },
      },
    ]);
    expect(() => chat.typing(alice, 'a9', { room: 'lobby', typing: true })).toThrow(
      new AppError('FORBIDDEN', 'this socket is not in the room'),
    );
  });

  describe('history', () => {
    const offsets = (messages: Message[]) => messages.map((message) => message.offset);

    beforeEach(async () => {
      for (let i = 1; i <= 60; i += 1)
        await chat.send(alice, 'a1', { room: 'lobby', text: `m${i}` }, alice.id);
    });

    it('returns the latest 50 by default, oldest first, with hasMore for older ones', async () => {
      const page = await chat.page('b1', { room: 'lobby' });
      expect(offsets(page.messages)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
      expect(page.hasMore).toBe(true);
    });

    it('pages forward with after and backward with before', async () => {
      const forward = await chat.page('b1', { room: 'lobby', after: 55, limit: 3 });
      expect(offsets(forward.messages)).toEqual([56, 57, 58]);
      expect(forward.hasMore).toBe(true);
      const backward = await chat.page('b1', { room: 'lobby', before: 4, limit: 10 });
      expect(offsets(backward.messages)).toEqual([1, 2, 3]);
      expect(backward.hasMore).toBe(false);
    });

    it('refuses the history of a room the socket is not in', async () => {
      await expect(chat.page('x', { room: 'lobby' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });
  });
});
