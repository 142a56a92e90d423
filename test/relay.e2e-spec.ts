import type { RoomEvent, User, UserEvent } from '@switchboard/contract';
import { collect, nextEvent, ok, request, type TestClient } from './support/clients.js';
import { uniqueId } from './support/identities.js';
import {
  caughtUp,
  failure,
  joined,
  newUser,
  ROOMS_TEST_ENV,
  validationFailure,
} from './support/rooms.js';
import { useServer } from './support/server.js';
import {
  closeAllClientsAndTransports,
  connectUserOver,
  type TransportName,
} from './support/transports.js';

const RELAY_MAX_BYTES = 1024;
/** `{"bytes":}`: the JSON text around one binary value, which counts by its byte length. */
const AROUND_BYTES = '{"bytes":}'.length;

describe.each<TransportName>(['websocket', 'polling'])('custom events over %s', (transport) => {
  const server = useServer({ ...ROOMS_TEST_ENV, RELAY_MAX_BYTES: String(RELAY_MAX_BYTES) });
  afterEach(() => closeAllClientsAndTransports());

  const socketOf = (user: User, roles: string[] = []) =>
    connectUserOver(server.url, { sub: user.id, name: user.name, roles }, [transport]);
  async function inRoom(room: string, ...sockets: TestClient[]): Promise<void> {
    for (const socket of sockets) await joined(socket, room);
  }

  /** Alice with two tabs, Bob, all in one room; Carol in another room only. */
  async function roomWithTabs() {
    const room = uniqueId('relay');
    const [alice, bob, carol] = [newUser('Alice'), newUser('Bob'), newUser('Carol')];
    const [aliceTab1, aliceTab2, bobTab, carolTab] = await Promise.all([
      socketOf(alice),
      socketOf(alice),
      socketOf(bob),
      socketOf(carol),
    ]);
    await inRoom(room, aliceTab1, aliceTab2, bobTab);
    await inRoom(uniqueId('elsewhere'), carolTab);
    return { room, alice, bob, carol, aliceTab1, aliceTab2, bobTab, carolTab };
  }

  describe('room:emit', () => {
    it("reaches the room's other sockets, the sender's other tab too, with binary data as binary", async () => {
      const { room, alice, aliceTab1, aliceTab2, bobTab, carolTab } = await roomWithTabs();
      const toTab2 = nextEvent<RoomEvent>(aliceTab2, 'room:event');
      const toBob = nextEvent<RoomEvent>(bobTab, 'room:event');
      const toSender = collect(aliceTab1, 'room:event');
      const toCarol = collect(carolTab, 'room:event');
      const data = { x: 1, frame: { bytes: Buffer.from([1, 2, 3]) }, tags: ['a'] };
      const before = Date.now();

      const reply = await ok(aliceTab1, 'room:emit', { room, event: 'cursor:move', data });

      expect(reply).toEqual({ recipients: 2 });
      for (const received of [await toTab2, await toBob]) {
        expect(received).toEqual({
          room,
          event: 'cursor:move',
          data,
          user: alice,
          ts: expect.any(Number),
        });
        expect(Buffer.isBuffer(received.data)).toBe(false);
        expect(Buffer.isBuffer((received.data as typeof data).frame.bytes)).toBe(true);
        expect(received.ts).toBeGreaterThanOrEqual(before);
      }
      await Promise.all([caughtUp(aliceTab1), caughtUp(carolTab)]);
      expect(toSender).toEqual([]);
      expect(toCarol).toEqual([]);
    });

    it('relays an event without data as data: null', async () => {
      const { room, aliceTab1, bobTab } = await roomWithTabs();
      const toBob = nextEvent<RoomEvent>(bobTab, 'room:event');
      await ok(aliceTab1, 'room:emit', { room, event: 'ping' });
      expect(await toBob).toMatchObject({ event: 'ping', data: null });
    });
  });

  describe('user:emit', () => {
    it('reaches every socket of a user who shares a room with the sender, and nobody else', async () => {
      const { alice, aliceTab1, aliceTab2, bob, bobTab, carolTab } = await roomWithTabs();
      const toTab1 = nextEvent<UserEvent>(aliceTab1, 'user:event');
      const toTab2 = nextEvent<UserEvent>(aliceTab2, 'user:event');
      const toOthers = [collect(bobTab, 'user:event'), collect(carolTab, 'user:event')];
      const data = { sdp: 'v=0', chunk: Buffer.from('binary') };

      const reply = await ok(bobTab, 'user:emit', {
        userId: alice.id,
        event: 'webrtc:offer',
        data,
      });

      expect(reply).toEqual({ recipients: 2 });
      for (const received of [await toTab1, await toTab2]) {
        expect(received).toEqual({
          event: 'webrtc:offer',
          data,
          from: bob,
          ts: expect.any(Number),
        });
        expect(Buffer.isBuffer((received.data as typeof data).chunk)).toBe(true);
      }
      await Promise.all([caughtUp(bobTab), caughtUp(carolTab)]);
      expect(toOthers).toEqual([[], []]);
    });

    it('lets an admin address anyone, and counts 0 recipients for a user who is not connected', async () => {
      const { carol, carolTab } = await roomWithTabs();
      const admin = await socketOf(newUser('Admin'), ['admin']);
      const toCarol = nextEvent<UserEvent>(carolTab, 'user:event');

      expect(await ok(admin, 'user:emit', { userId: carol.id, event: 'notice' })).toEqual({
        recipients: 1,
      });
      expect(await toCarol).toMatchObject({ event: 'notice', data: null });
      expect(
        await ok(admin, 'user:emit', { userId: uniqueId('offline'), event: 'notice' }),
      ).toEqual({
        recipients: 0,
      });
    });
  });

  describe('refusals deliver nothing', () => {
    /**
     * `refuse` must get `expected`; then `accept` sends an event named "accepted" that must arrive:
     * the receiver's first event being that one proves that the refused one never left.
     */
    async function refusedThenDelivered(
      receiver: TestClient,
      received: 'room:event' | 'user:event',
      refuse: () => Promise<unknown>,
      expected: unknown,
      accept: () => Promise<unknown>,
    ) {
      const first = nextEvent<{ event: string }>(receiver, received);
      expect(await refuse()).toEqual(expected);
      await accept();
      expect((await first).event).toBe('accepted');
    }

    it('room:emit from a socket not in the room is FORBIDDEN, even with a tab of its user in it', async () => {
      const { room, alice, aliceTab1, bobTab } = await roomWithTabs();
      const tabOutside = await socketOf(alice);
      await refusedThenDelivered(
        bobTab,
        'room:event',
        () => request(tabOutside, 'room:emit', { room, event: 'refused' }),
        failure('FORBIDDEN'),
        () => ok(aliceTab1, 'room:emit', { room, event: 'accepted' }),
      );
    });

    it('user:emit to a user with no common room is FORBIDDEN', async () => {
      const { carol, carolTab, bobTab } = await roomWithTabs();
      const admin = await socketOf(newUser('Admin'), ['admin']);
      await refusedThenDelivered(
        carolTab,
        'user:event',
        () => request(bobTab, 'user:emit', { userId: carol.id, event: 'refused' }),
        failure('FORBIDDEN'),
        () => ok(admin, 'user:emit', { userId: carol.id, event: 'accepted' }),
      );
    });

    it.each(['', 'has space', 'x'.repeat(65), 'émoji', 42])(
      'an event name %p is VALIDATION_FAILED',
      async (event) => {
        const { room, alice, aliceTab1, bobTab } = await roomWithTabs();
        await refusedThenDelivered(
          aliceTab1,
          'user:event',
          () => request(bobTab, 'user:emit', { userId: alice.id, event }),
          validationFailure('event'),
          () => ok(bobTab, 'user:emit', { userId: alice.id, event: 'accepted' }),
        );
        expect(await request(bobTab, 'room:emit', { room, event })).toEqual(
          validationFailure('event'),
        );
      },
    );

    it('data one byte over RELAY_MAX_BYTES as sent, binary counted by its bytes, is PAYLOAD_TOO_LARGE', async () => {
      const { room, aliceTab1, bobTab } = await roomWithTabs();
      const atLimit = { bytes: Buffer.alloc(RELAY_MAX_BYTES - AROUND_BYTES) };
      const overLimit = { bytes: Buffer.alloc(RELAY_MAX_BYTES - AROUND_BYTES + 1) };
      await refusedThenDelivered(
        bobTab,
        'room:event',
        () => request(aliceTab1, 'room:emit', { room, event: 'refused', data: overLimit }),
        failure('PAYLOAD_TOO_LARGE'),
        () => ok(aliceTab1, 'room:emit', { room, event: 'accepted', data: atLimit }),
      );
      expect(
        await request(aliceTab1, 'user:emit', {
          userId: bobTab.welcome.user.id,
          event: 'refused',
          data: [overLimit],
        }),
      ).toEqual(failure('PAYLOAD_TOO_LARGE'));
    });
  });
});
