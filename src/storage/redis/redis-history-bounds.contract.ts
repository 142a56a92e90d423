import type { RedisCommands } from './redis-client.js';
import { RedisHistoryStore } from './redis-history.store.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * How the history's bounds recover from what the contract suite cannot arrange (a record of a
 * room's last write that lags, a room kept over the bound by a race), on a real Redis or Redis
 * Cluster: `client` is read inside the tests, `freshKeys` gives each test keys of its own.
 */
export function describeHistoryBoundsInRedis(
  name: string,
  client: () => RedisCommands,
  freshKeys: () => RedisKeys,
): void {
  describe(`${name} history bounds`, () => {
    const limits = { perRoom: 10, rooms: 2, evictIdleMs: 60_000, newRoomsPerHour: 10 };
    const message = (room: string, ts: number) => ({
      id: `${room}-${ts}`,
      room,
      user: { id: 'u', name: 'U' },
      text: 't',
      ts,
    });

    it("reads a room's own last write before its history goes, whatever the set's record says", async () => {
      const keys = freshKeys();
      const redis = client();
      const store = new RedisHistoryStore(redis, keys, limits);
      await store.append(message('a', 0));
      await store.append(message('b', 1));
      await store.append(message('a', 30_000));
      // As if the record of a's last write had not been moved yet.
      await redis.zadd(keys.historyRooms, 0, 'a');

      expect((await store.append(message('c', 60_001))).created).toBe(true);

      expect(await store.lastOffset('a')).toBe(2);
      expect(await store.lastOffset('b')).toBe(0);
      expect(await redis.zscore(keys.historyRooms, 'a')).toBe('30000');
    });

    it("moves a busy room's record of its last write, however close its messages", async () => {
      const keys = freshKeys();
      const redis = client();
      const store = new RedisHistoryStore(redis, keys, limits);
      // A hundredth of the idle bound: the record lags a room's last write by at most 600 ms.
      for (let ts = 0; ts <= 3000; ts += 100) await store.append(message('a', ts));

      expect(Number(await redis.zscore(keys.historyRooms, 'a'))).toBeGreaterThanOrEqual(2400);
    });

    it('makes space for a room over the bound too, so that the set comes back within it', async () => {
      const keys = freshKeys();
      const redis = client();
      const store = new RedisHistoryStore(redis, keys, limits);
      await store.append(message('a', 0));
      await store.append(message('b', 1));
      // A room that got a message while it was making space went back in: one over the bound.
      await redis.set(keys.lastOffset('x'), 1);
      await redis.rpush(keys.history('x'), JSON.stringify(message('x', 2)));
      await redis.zadd(keys.historyRooms, 2, 'x');

      expect((await store.append(message('c', 60_003))).created).toBe(true);

      expect(await redis.zcard(keys.historyRooms)).toBe(2);
      expect(await store.lastOffset('a')).toBe(0);
      expect(await store.lastOffset('b')).toBe(0);
      expect(await store.lastOffset('x')).toBe(1);
    });
  });
}
