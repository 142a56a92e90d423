import type { HistoryLimits, NewRoomRefusal } from '../stores.js';
import type { RedisCommands } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';
import { ADMIT_ROOM, FORGET_IDLE_ROOM, ROOM_LAST_WRITE } from './redis-history-bounds.scripts.js';

const HOUR_MS = 3_600_000;
/**
 * How many rooms one admission checks for idleness before it refuses ('rooms'): the set's record
 * of a room's last write lags by at most touchEveryMs, so only rooms last written to in that
 * short band before the idle cutoff can look idle and not be.
 */
const MAX_CANDIDATES = 8;
/** The record of a room's last write is moved at most this often (or a hundredth of the idle bound). */
const MAX_TOUCH_EVERY_MS = 60_000;

/**
 * HISTORY_MAX_ROOMS and ROOMS_NEW_PER_HOUR, kept in their own hash slot (see
 * redis-history-bounds.scripts.ts): a room without a history is let in there, in one atomic step,
 * before its first message is written in its own slot. Making space removes a room's history in
 * that room's slot, only once its idleness was read there: the set's record of its last write is
 * a lower bound (moved after a write, without waiting, at most every touchEveryMs), so the truth
 * is read before a room goes.
 */
export class RedisHistoryBounds {
  /** How long after the set last recorded a write to a room it records one again. */
  readonly touchEveryMs: number;

  constructor(
    private readonly redis: RedisCommands,
    private readonly keys: RedisKeys,
    private readonly limits: HistoryLimits,
  ) {
    this.touchEveryMs = Math.min(MAX_TOUCH_EVERY_MS, Math.floor(limits.evictIdleMs / 100));
  }

  /**
   * Lets `room` in at `ts` (counted for `counter`, when given) or says why not, changing nothing
   * then. A room that had to make space has its history removed before this resolves.
   */
  async admit(room: string, ts: number, counter?: string): Promise<NewRoomRefusal | undefined> {
    const cutoff = ts - this.limits.evictIdleMs;
    const hour = Math.floor(ts / HOUR_MS);
    const keys = [this.keys.historyRooms];
    if (counter !== undefined) keys.push(`${this.keys.newRoomsPrefix}${hour}:${counter}`);
    const args = [room, ts, this.limits.rooms, cutoff, this.limits.newRoomsPerHour];
    const countTtlMs = (hour + 1) * HOUR_MS - ts;
    let idle = '';
    for (let checked = 0; checked <= MAX_CANDIDATES;) {
      const [outcome, value] = (await ADMIT_ROOM.run(this.redis, keys, [
        ...args,
        countTtlMs,
        idle,
      ])) as [number, string];
      if (outcome === 1) {
        if (value !== '') await this.forget(value, cutoff);
        return undefined;
      }
      if (outcome === 2) return value as NewRoomRefusal;
      checked++;
      if (outcome === 4) {
        await this.forget(value, cutoff);
        idle = '';
        continue;
      }
      const lastWrite = (await ROOM_LAST_WRITE.run(
        this.redis,
        [this.keys.lastOffset(value), this.keys.history(value)],
        [],
      )) as number;
      if (lastWrite <= cutoff) {
        idle = value;
      } else {
        idle = '';
        await this.redis.zadd(this.keys.historyRooms, 'XX', 'GT', lastWrite, value);
      }
    }
    return 'rooms';
  }

  /**
   * Records a write to a room that is already in. Not awaited: the record only orders the rooms
   * to check when space is needed, and the check reads the room's own last write.
   */
  touch(room: string, ts: number): void {
    this.redis.zadd(this.keys.historyRooms, 'XX', 'GT', ts, room).catch(() => undefined);
  }

  /**
   * Removes the history of a room that left the set to make space, unless a message reached it
   * since its idleness was read: it then keeps its history and goes back in (the one case where
   * the set holds one room over the bound, until the next room let in makes space for both).
   */
  private async forget(room: string, cutoff: number): Promise<void> {
    const [forgotten, lastWrite] = (await FORGET_IDLE_ROOM.run(
      this.redis,
      [
        this.keys.lastOffset(room),
        this.keys.history(room),
        this.keys.clientMsgIds(room),
        this.keys.historyRecorded(room),
      ],
      [cutoff],
    )) as [number, number?];
    if (forgotten === 0) await this.redis.zadd(this.keys.historyRooms, 'NX', lastWrite!, room);
  }
}
