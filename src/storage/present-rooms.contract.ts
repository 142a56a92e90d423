import type { User } from '@switchboard/contract';
import type { PresenceStore } from './stores.js';

const alice: User = { id: 'u-alice', name: 'Alice' };
const bob: User = { id: 'u-bob', name: 'Bob' };

/** The room list of every presence store (see stores.contract.ts for the rest of presence). */
export function describePresentRooms(
  name: string,
  create: () => Promise<PresenceStore> | PresenceStore,
) {
  describe(`${name} presence store's room list`, () => {
    it('lists the rooms with present users by name, with how many users are present', async () => {
      const store = await create();
      await store.join('b', alice, 's1', 10);
      await store.join('a', alice, 's1', 10);
      await store.join('a', alice, 's2', 10);
      await store.join('a', bob, 's3', 10);
      expect(await store.presentRooms(undefined, 10)).toEqual({
        rooms: [
          { room: 'a', members: 2 },
          { room: 'b', members: 1 },
        ],
        more: false,
      });
    });

    it('pages on after a name, saying whether more follow', async () => {
      const store = await create();
      for (const room of ['r5', 'r1', 'r4', 'r2', 'r3']) await store.join(room, alice, 's1', 10);
      expect(await store.presentRooms(undefined, 2)).toEqual({
        rooms: [
          { room: 'r1', members: 1 },
          { room: 'r2', members: 1 },
        ],
        more: true,
      });
      const next = await store.presentRooms('r2', 2);
      expect(next.rooms.map((each) => each.room)).toEqual(['r3', 'r4']);
      expect(next.more).toBe(true);
      expect(await store.presentRooms('r4', 2)).toEqual({
        rooms: [{ room: 'r5', members: 1 }],
        more: false,
      });
      expect(await store.presentRooms('r5', 2)).toEqual({ rooms: [], more: false });
    });

    it('drops a room once its last user leaves', async () => {
      const store = await create();
      await store.join('a', alice, 's1', 10);
      await store.join('a', bob, 's2', 10);
      await store.leave('a', alice.id, 's1');
      expect(await store.presentRooms(undefined, 10)).toEqual({
        rooms: [{ room: 'a', members: 1 }],
        more: false,
      });
      await store.leave('a', bob.id, 's2');
      expect(await store.presentRooms(undefined, 10)).toEqual({ rooms: [], more: false });
    });
  });
}
