import type { Socket } from 'socket.io-client';
import type { User } from '@switchboard/contract';
import { closeAllClients, connectAs } from './support/clients.js';
import { get } from './support/http.js';
import { uniqueId } from './support/identities.js';
import { joined, nextEvents, sent } from './support/rooms.js';
import { useServer } from './support/server.js';
import { pausedWebSocketReader, pollingReaderThatStops } from './support/slow-readers.js';

const MAX_BUFFERED_BYTES = 256 * 1024;
const TEXT = 'x'.repeat(2000);
/** A bound, not an expectation: without one, the loop below would never end on a server that keeps everything. */
const MAX_MESSAGES = 20_000;
/** Generous on purpose: the test's own clients and Jest share the process. */
const MEMORY_MARGIN_BYTES = 150 * 1024 * 1024;

/** Messages sent at once: the kernel takes megabytes for a paused WebSocket reader before its backlog grows. */
const BATCH = 50;
/** The WebSocket readers' kernel buffers fill first, which takes a while on a busy machine. */
const SLOW_TEST_TIMEOUT_MS = 60_000;

function sentBatch(sender: Socket, room: string): Promise<unknown> {
  return Promise.all(Array.from({ length: BATCH }, () => sent(sender, room, TEXT)));
}

interface RoomLeft {
  room: string;
  user: User;
  reason: string;
}

describe('slow readers (MAX_BUFFERED_BYTES)', () => {
  // The sender sends as fast as the room takes it: its rate limit is not what is tested here.
  const server = useServer({
    RATE_LIMIT_PER_SEC: '100000',
    RATE_LIMIT_BURST: '100000',
    MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES),
  });
  afterEach(() => closeAllClients());

  it(
    'closes the connections of five clients that stop reading a busy room, and only theirs',
    async () => {
      const room = uniqueId('busy');
      const sender = await connectAs(server.url, 'sender');
      const reader = await connectAs(server.url, 'reader');
      await joined(sender, room);
      await joined(reader, room);
      const arrivals = nextEvents<{ user: User }>(reader, 'room:joined', 5);
      await Promise.all(
        ['ws1', 'ws2', 'ws3'].map((name) => pausedWebSocketReader(server.url, name, room)),
      );
      for (const name of ['polling1', 'polling2']) {
        await pollingReaderThatStops(server.url, name, room);
      }
      await arrivals;
      const memoryBefore = process.memoryUsage();
      const departures = nextEvents<RoomLeft>(reader, 'room:left', 5, SLOW_TEST_TIMEOUT_MS);
      let gone = false;
      void departures.then(() => (gone = true));

      for (let count = 0; !gone && count < MAX_MESSAGES; count += BATCH)
        await sentBatch(sender, room);
      // As much again once they are gone: what the room sends no longer waits for them.
      for (let count = 0; count < 1000; count += BATCH) await sentBatch(sender, room);

      const names = (await departures).map(({ user, reason }) => [user.name, reason]).sort();
      expect(names).toEqual(
        ['polling1', 'polling2', 'ws1', 'ws2', 'ws3'].map((name) => [name, 'disconnect']),
      );
      const memoryAfter = process.memoryUsage();
      expect(memoryAfter.rss - memoryBefore.rss).toBeLessThan(MEMORY_MARGIN_BYTES);
      expect(reader.connected && sender.connected).toBe(true);
      const metrics = await get<string>(server.url, '/metrics');
      expect(metrics.body).toMatch(/^switchboard_slow_readers_closed_total 5$/m);
      expect(metrics.body).toMatch(/^switchboard_disconnects_total\{reason="slow_reader"\} 5$/m);
    },
    SLOW_TEST_TIMEOUT_MS,
  );

  it('leaves a client that reads what it is sent connected, however busy the room', async () => {
    const room = uniqueId('busy');
    const sender = await connectAs(server.url, 'sender');
    const reader = await connectAs(server.url, 'reader');
    await joined(sender, room);
    await joined(reader, room);
    const burst = Math.ceil((4 * MAX_BUFFERED_BYTES) / TEXT.length);
    const received = nextEvents(reader, 'chat:message', burst, 30_000);
    await Promise.all(Array.from({ length: burst }, () => sent(sender, room, TEXT)));
    await received;
    expect(reader.connected).toBe(true);
  });
});
