import type { UserSocketsStore } from './stores.js';

const userOf = (id: string) => ({ id, name: id });

/** The sockets that registering this one replaced. */
async function add(store: UserSocketsStore, userId: string, socketId: string, max: number) {
  return (await store.add(userOf(userId), socketId, max)).replaced;
}

/** The behaviour every user-sockets store must have (see stores.contract.ts for the others). */
export function describeUserSocketsStore(
  name: string,
  create: () => Promise<UserSocketsStore> | UserSocketsStore,
) {
  describe(`${name} user sockets store`, () => {
    it('replaces nothing while the user has at most `max` sockets', async () => {
      const store = await create();
      expect(await add(store, 'u1', 's1', 2)).toEqual([]);
      expect(await add(store, 'u1', 's2', 2)).toEqual([]);
    });

    it("takes out the user's oldest socket beyond `max`, once", async () => {
      const store = await create();
      for (const socket of ['s1', 's2', 's3']) await add(store, 'u1', socket, 3);
      expect(await add(store, 'u1', 's4', 3)).toEqual(['s1']);
      expect(await add(store, 'u1', 's5', 3)).toEqual(['s2']);
    });

    it('takes out several, oldest first, when `max` is lower than the count', async () => {
      const store = await create();
      for (const socket of ['s1', 's2', 's3']) await add(store, 'u1', socket, 10);
      expect(await add(store, 'u1', 's4', 2)).toEqual(['s1', 's2']);
    });

    it('counts each user on their own', async () => {
      const store = await create();
      await add(store, 'u1', 's1', 1);
      expect(await add(store, 'u2', 's2', 1)).toEqual([]);
      expect(await add(store, 'u1', 's3', 1)).toEqual(['s1']);
    });

    it('forgets a removed socket, so that a new one fits', async () => {
      const store = await create();
      await add(store, 'u1', 's1', 2);
      await add(store, 'u1', 's2', 2);
      await store.remove(userOf('u1'), 's1');
      await store.remove(userOf('u1'), 'unknown');
      expect(await add(store, 'u1', 's3', 2)).toEqual([]);
      expect(await add(store, 'u1', 's4', 2)).toEqual(['s2']);
    });

    it('makes a socket registered again the newest', async () => {
      const store = await create();
      await add(store, 'u1', 's1', 2);
      await add(store, 'u1', 's2', 2);
      await add(store, 'u1', 's1', 2);
      expect(await add(store, 'u1', 's3', 2)).toEqual(['s2']);
    });

    it('restores a lost socket as the newest, and leaves one it kept in its place', async () => {
      const store = await create();
      await add(store, 'u1', 's1', 3);
      await add(store, 'u1', 's2', 3);
      await store.restore(userOf('u1'), 's1');
      await store.restore(userOf('u1'), 's0');
      expect(await add(store, 'u1', 's3', 3)).toEqual(['s1']);
      expect(await add(store, 'u1', 's4', 3)).toEqual(['s2']);
      expect(await add(store, 'u1', 's5', 3)).toEqual(['s0']);
    });

    it('never lets sockets added at once pass `max`, each replaced once', async () => {
      const store = await create();
      const sockets = Array.from({ length: 10 }, (_, index) => `s${index}`);
      const replaced = (
        await Promise.all(sockets.map((socket) => add(store, 'u1', socket, 3)))
      ).flat();
      expect(replaced).toHaveLength(7);
      expect(new Set(replaced).size).toBe(7);
    });
  });
}
