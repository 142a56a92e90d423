import type { MessagePage } from '@switchboard/contract';
import { awaitedOnly, closeAllClients, connectAs, ok } from '../../test/support/clients.js';
import { uniqueId } from '../../test/support/identities.js';
import { ROOMS_TEST_ENV } from '../../test/support/rooms.js';
import { useServer } from '../../test/support/server.js';
import {
  closeAllSwitchboards,
  DeliveryLog,
  dropConnection,
  offsetsUpTo,
  openSwitchboard,
} from '../../test/support/switchboards.js';
import type { ConnectionState } from '../src/index.js';

/** Sends `count` messages while `room`'s Switchboard is disconnected; resolves with what was stored. */
async function sendWhileDisconnected(url: string, room: string, count: number) {
  const alice = openSwitchboard(url, { auth: { name: 'alice' } });
  const aliceRoom = await alice.join(room);
  const delivered = new DeliveryLog(aliceRoom);
  const states: ConnectionState[] = [];
  alice.on('state', (state) => states.push(state));
  await dropConnection(alice);

  const sends = offsetsUpTo(count).map((index) => aliceRoom.send(`message ${index}`));
  expect(alice.state).toBe('reconnecting');
  const stored = await Promise.all(sends);
  await delivered.until(count);
  return { stored, delivered, states };
}

/** Every stored message of `room`, read by a newcomer page by page. */
async function storedHistory(url: string, room: string): Promise<string[]> {
  const reader = await connectAs(url, 'reader');
  await ok(reader, 'room:join', { room });
  const texts: string[] = [];
  for (let after = 0, hasMore = true; hasMore;) {
    const page = await ok<MessagePage>(reader, 'chat:history', { room, after, limit: 100 });
    texts.push(...page.messages.map((message) => message.text));
    after = page.messages.at(-1)?.offset ?? after;
    hasMore = page.hasMore;
  }
  return texts;
}

const textsUpTo = (count: number) => offsetsUpTo(count).map((index) => `message ${index}`);

describe('the outbox (client library)', () => {
  const server = useServer(ROOMS_TEST_ENV);
  afterEach(() => {
    closeAllSwitchboards();
    closeAllClients();
  });

  it('sends 200 messages made while disconnected on reconnect, in order, each stored once', async () => {
    const room = uniqueId('room');
    const { stored, delivered } = await sendWhileDisconnected(server.url, room, 200);

    expect(stored.map((message) => message.offset)).toEqual(offsetsUpTo(200));
    expect(stored.map((message) => message.text)).toEqual(textsUpTo(200));
    expect(delivered.offsets).toEqual(offsetsUpTo(200));
    expect(await storedHistory(server.url, room)).toEqual(textsUpTo(200));
  });
});

describe('the outbox under the default rate limit (client library)', () => {
  // 20 events a second in bursts of 40, and a session ended after 40 refusals within 5 s.
  const server = useServer();
  afterEach(() => {
    closeAllSwitchboards();
    closeAllClients();
  });

  it('backs off on RATE_LIMITED and stores every message once, in order, without being cut off', async () => {
    const room = uniqueId('room');
    const { stored, states } = await sendWhileDisconnected(server.url, room, 90);

    expect(stored.map((message) => message.offset)).toEqual(offsetsUpTo(90));
    expect(await storedHistory(server.url, room)).toEqual(textsUpTo(90));
    expect(states).not.toContain('disconnected');
    expect(states.at(-1)).toBe('connected');
  });
});

describe('the outbox at ROOMS_NEW_PER_HOUR=1 (client library)', () => {
  const server = useServer({ ROOMS_NEW_PER_HOUR: '1' });
  afterEach(() => closeAllSwitchboards());

  it('rejects at once a send that may not start a room history, and sends the next ones', async () => {
    const alice = openSwitchboard(server.url, { auth: { name: 'alice' } });
    const [first, second] = await Promise.all([
      alice.join(uniqueId('one')),
      alice.join(uniqueId('two')),
    ]);
    await first.send('hello');

    const refused = second.send('a room too many');
    const next = awaitedOnly(first.send('still here'));

    await expect(refused).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'ROOMS_NEW_PER_HOUR' },
    });
    expect((await next).offset).toBe(2);
  });
});
