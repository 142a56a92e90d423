import type { FakeDelivery, FakeLocalSockets } from '../../test/support/fake-realtime.js';
import { createServices } from '../../test/support/services.js';
import type { User } from '@switchboard/contract';
import type { MemoryHistoryStore } from '../storage/memory/memory-history.store.js';
import type { MemoryPresenceStore } from '../storage/memory/memory-presence.store.js';
import { PRESENCE_STORE } from '../storage/stores.js';
import { RoomsService } from './rooms.service.js';

const alice: User = { id: 'alice', name: 'Alice' };
const bob: User = { id: 'bob', name: 'Bob' };

describe('RoomsService', () => {
  let rooms: RoomsService;
  let delivery: FakeDelivery;
  let localSockets: FakeLocalSockets;
  let history: MemoryHistoryStore;
  let presence: MemoryPresenceStore;

  beforeEach(async () => {
    const services = await createServices({ ROOM_MAX_PER_SOCKET: '2' });
    ({ delivery, localSockets, history } = services);
    presence = services.moduleRef.get(PRESENCE_STORE);
    rooms = services.moduleRef.get(RoomsService);
  });

  it('joins a socket and lists the joiner among the members', async () => {
    const result = await rooms.join(alice, 's1', 'lobby');
    expect(result).toEqual({
      room: 'lobby',
      members: [alice],
      lastOffset: 0,
      missed: [],
      hasMore: false,
    });
    expect(localSockets.socketRooms.get('s1')).toEqual(new Set(['lobby']));
  });

  it('tells the others when a user becomes present, but not on their second tab or a repeated join', async () => {
    await rooms.join(alice, 'a1', 'lobby');
    await rooms.join(alice, 'a2', 'lobby');
    await rooms.join(alice, 'a1', 'lobby');
    expect(delivery.eventsNamed('room:joined')).toEqual([
      {
        audience: { room: 'lobby' },
        event: 'room:joined',
        payload: { room: 'lobby', user: alice },
        options: { except: { socketId: 'a1' } },
      },
    ]);
  });

  it('never puts roles or other identity fields on the wire', async () => {
    await rooms.join({ ...alice, roles: ['admin'] }, 'a1', 'lobby');
    expect(delivery.eventsNamed('room:joined')[0].payload).toEqual({
      room: 'lobby',
      user: alice,
    });
    expect((await rooms.members('a1', 'lobby')).members).toEqual([alice]);
  });

  it('refuses one room more than ROOM_MAX_PER_SOCKET, but not a repeated join', async () => {
    await rooms.join(alice, 's1', 'one');
    await rooms.join(alice, 's1', 'two');
    await expect(rooms.join(alice, 's1', 'two')).resolves.toMatchObject({ room: 'two' });
    await expect(rooms.join(alice, 's1', 'three')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('returns what was missed after an offset, at most 100, with hasMore', async () => {
    for (let i = 0; i < 130; i += 1) {
      await history.append({ id: `m${i}`, room: 'lobby', user: bob, text: `t${i}`, ts: 1 });
    }
    const result = await rooms.join(alice, 's1', 'lobby', 20);
    expect(result.lastOffset).toBe(130);
    expect(result.missed.map((message) => message.offset)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 21),
    );
    expect(result.hasMore).toBe(true);
    const rest = await rooms.join(alice, 's2', 'lobby', 120);
    expect(rest.missed).toHaveLength(10);
    expect(rest.hasMore).toBe(false);
  });

  it('leaves a room, telling the others only when the last tab of the user leaves', async () => {
    await rooms.join(alice, 'a1', 'lobby');
    await rooms.join(alice, 'a2', 'lobby');
    await rooms.leave(alice, 'a1', 'lobby');
    expect(delivery.eventsNamed('room:left')).toEqual([]);
    await expect(rooms.leave(alice, 'a2', 'lobby')).resolves.toEqual({ room: 'lobby' });
    expect(delivery.eventsNamed('room:left').map((sent) => sent.payload)).toEqual([
      { room: 'lobby', user: alice, reason: 'leave' },
    ]);
  });

  it('answers NOT_FOUND for leaving a room the socket is not in', async () => {
    await expect(rooms.leave(alice, 's1', 'lobby')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers FORBIDDEN for the members of a room the socket is not in', async () => {
    await rooms.join(bob, 'b1', 'lobby');
    await expect(rooms.members('s1', 'lobby')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('takes a disconnected socket out of all its rooms with reason "disconnect"', async () => {
    await rooms.join(alice, 'a1', 'one');
    await rooms.join(alice, 'a1', 'two');
    await rooms.disconnected(alice, 'a1');
    expect(delivery.eventsNamed('room:left').map((sent) => sent.payload)).toEqual([
      { room: 'one', user: alice, reason: 'disconnect' },
      { room: 'two', user: alice, reason: 'disconnect' },
    ]);
    // Never to the gone socket itself, whose recovered session would replay it.
    expect(delivery.eventsNamed('room:left').map((sent) => sent.options)).toEqual([
      { except: { socketId: 'a1' } },
      { except: { socketId: 'a1' } },
    ]);
    await expect(rooms.members('a1', 'one')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('undoes a join whose subscription Redis refuses, so that its retry joins anew', async () => {
    localSockets.refusing.add('lobby');
    await expect(rooms.join(alice, 'a1', 'lobby')).rejects.toThrow('Connection is closed.');
    expect(localSockets.isInRoom('a1', 'lobby')).toBe(false);
    expect(await presence.members('lobby')).toEqual([]);

    localSockets.refusing.clear();
    await expect(rooms.join(alice, 'a1', 'lobby')).resolves.toMatchObject({ members: [alice] });
  });

  it('keeps a restored socket in its room when the subscription is refused: it is asked again later', async () => {
    void localSockets.addToRoom('a1', 'lobby');
    localSockets.refusing.add('lobby');
    await rooms.recovered(alice, 'a1', ['lobby'], false);
    expect(localSockets.isInRoom('a1', 'lobby')).toBe(true);
    expect(await presence.members('lobby')).toEqual([alice]);
  });

  it('restores the presence of a recovered socket in the rooms it is back in', async () => {
    await rooms.join(bob, 'b1', 'lobby');
    await rooms.recovered(alice, 'a1', ['lobby']);
    expect((await rooms.members('b1', 'lobby')).members).toEqual(
      expect.arrayContaining([alice, bob]),
    );
    expect(delivery.eventsNamed('room:joined').at(-1)!.payload).toEqual({
      room: 'lobby',
      user: alice,
    });
  });
});
