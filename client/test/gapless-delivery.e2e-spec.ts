import { ROOMS_TEST_ENV } from '../../test/support/rooms.js';
import { closeAllClients, connectAs, ok } from '../../test/support/clients.js';
import { uniqueId } from '../../test/support/identities.js';
import { startServer, useServer } from '../../test/support/server.js';
import {
  closeAllSwitchboards,
  DeliveryLog,
  dropConnection,
  nextState,
  offsetsUpTo,
  openSwitchboard,
} from '../../test/support/switchboards.js';

describe('a room’s messages through dropped connections (client library)', () => {
  const server = useServer(ROOMS_TEST_ENV);
  afterEach(() => closeAllSwitchboards());

  it('delivers offsets 1..N once each, in order, while the receiver’s transport drops twice', async () => {
    const room = uniqueId('room');
    const receiver = openSwitchboard(server.url, { auth: { name: 'receiver' } });
    const received = new DeliveryLog(await receiver.join(room));
    const sender = openSwitchboard(server.url, { auth: { name: 'sender' } });
    const senderRoom = await sender.join(room);
    const ownSends = new DeliveryLog(senderRoom);
    const total = 60;

    for (let index = 1; index <= total; index++) {
      if (index === 15) await dropConnection(receiver);
      // The second drop waits for the first reconnection, so that it drops a live connection.
      if (index === 35) await receiver.connected().then(() => dropConnection(receiver));
      await senderRoom.send(`message ${index}`);
    }

    await received.until(total);
    expect(received.offsets).toEqual(offsetsUpTo(total));
    expect(received.texts).toEqual(offsetsUpTo(total).map((index) => `message ${index}`));
    await ownSends.until(total);
    expect(ownSends.offsets).toEqual(offsetsUpTo(total));
  });
});

describe('a server restarted on the memory store (client library)', () => {
  afterEach(() => {
    closeAllSwitchboards();
    closeAllClients();
  });

  it('is seen as a reset, and delivery goes on from offset 1', async () => {
    let server = await startServer(ROOMS_TEST_ENV);
    try {
      const room = uniqueId('room');
      const receiver = openSwitchboard(server.url, { auth: { name: 'receiver' } });
      const receiverRoom = await receiver.join(room);
      const received = new DeliveryLog(receiverRoom);
      const before = await connectAs(server.url, 'before');
      await ok(before, 'room:join', { room });
      for (const text of ['one', 'two', 'three']) await ok(before, 'chat:send', { room, text });
      await received.until(3);

      const reset = new Promise<void>((resolve) => receiverRoom.on('reset', resolve));
      const port = Number(new URL(server.url).port);
      await server.close();
      server = await startServer(ROOMS_TEST_ENV, undefined, port);
      expect((await nextState(receiver, 'connected')).recovered).toBe(false);
      await reset;
      const after = await connectAs(server.url, 'after');
      await ok(after, 'room:join', { room });
      for (const text of ['new one', 'new two']) await ok(after, 'chat:send', { room, text });

      await received.until(6);
      expect(received.offsets).toEqual([1, 2, 3, 'reset', 1, 2]);
      expect(received.texts).toEqual(['one', 'two', 'three', 'new one', 'new two']);
      expect(receiverRoom.lastOffset).toBe(2);
    } finally {
      await server.close();
    }
  });
});
