import type { Socket } from 'socket.io-client';
import type { Message, Reply } from '@switchboard/contract';
import { closeAllClients, connect, request } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { uniqueId } from './support/identities.js';
import { describeWithRedis } from './support/redis-server.js';
import { history, joined, refusedNaming, sent } from './support/rooms.js';

async function sendTo(socket: Socket, room: string): Promise<Reply<Message>> {
  await joined(socket, room);
  return request<Message>(socket, 'chat:send', { room, text: 'hello' });
}

describeWithRedis('rooms with a history across nodes (HISTORY_MAX_ROOMS=3)', () => {
  const cluster = useCluster('history-max-rooms', { size: 2, env: { HISTORY_MAX_ROOMS: '3' } });
  afterEach(() => closeAllClients());

  it("refuses on every node the new room that would remove a room's recent history", async () => {
    const [onA, onB] = await Promise.all(
      cluster.urls.map((url) => connect(url, { name: 'guest' })),
    );
    const writtenFirst = uniqueId('first');
    await joined(onA, writtenFirst);
    const kept = await sent(onA, writtenFirst, 'written seconds before');

    expect(await sendTo(onB, uniqueId('one'))).toMatchObject({ ok: true });
    expect(await sendTo(onA, uniqueId('two'))).toMatchObject({ ok: true });
    expect(await sendTo(onB, uniqueId('three'))).toEqual(refusedNaming('HISTORY_MAX_ROOMS'));
    expect(await sendTo(onA, uniqueId('four'))).toEqual(refusedNaming('HISTORY_MAX_ROOMS'));

    await joined(onB, writtenFirst);
    expect(await history(onB, { room: writtenFirst })).toEqual({
      messages: [kept],
      hasMore: false,
    });
    expect((await sent(onB, writtenFirst, 'and then')).offset).toBe(2);
  });
});

describeWithRedis('ROOMS_NEW_PER_HOUR across nodes', () => {
  const cluster = useCluster('rooms-new-per-hour', {
    env: { ROOMS_NEW_PER_HOUR: '2', TRUST_PROXY: '1' },
  });
  afterEach(() => closeAllClients());

  it("counts one address's guests on every node together", async () => {
    const extraHeaders = { 'x-forwarded-for': '203.0.113.7' };
    const [onA, onB, onC] = await Promise.all(
      cluster.urls.map((url) => connect(url, { name: 'guest' }, { extraHeaders })),
    );
    const first = uniqueId('one');

    expect(await sendTo(onA, first)).toMatchObject({ ok: true });
    expect(await sendTo(onB, uniqueId('two'))).toMatchObject({ ok: true });
    expect(await sendTo(onC, uniqueId('three'))).toEqual(refusedNaming('ROOMS_NEW_PER_HOUR'));

    expect(await sendTo(onC, first)).toMatchObject({ ok: true, data: { offset: 2 } });
    const elsewhere = await connect(cluster.urls[2], { name: 'guest' });
    expect(await sendTo(elsewhere, uniqueId('four'))).toMatchObject({ ok: true });
  });
});
