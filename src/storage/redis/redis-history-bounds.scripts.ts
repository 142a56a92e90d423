import { LuaScript } from './lua-script.js';

/**
 * The history's bounds on rooms (HISTORY_MAX_ROOMS, ROOMS_NEW_PER_HOUR) live in a hash slot of
 * their own: a sorted set of the rooms with a history, scored by their last write (ms, a lower
 * bound: see RedisHistoryBounds), and a counter per counter and clock hour. A room enters the set
 * in one atomic step that checks both bounds, before its first message is written in the room's
 * own slot; so concurrent new rooms pass neither bound, whichever shards their keys are on.
 */

/**
 * Lets a room without a history in, or tells why not. Changes nothing unless it lets the room in.
 * KEYS: the rooms with a history; with a counter (else absent), its count for the hour.
 * ARGV: room, its first message's ts, the rooms limit, the idle cutoff (a room last written to at
 * or before it may make space), rooms per counter per hour, the count's ttl (ms), and the room
 * that may make space ('' for none yet: one whose idleness was checked in its own slot).
 * Returns {1, the room that made space or ''} when let in (or already in), {2, 'rooms' or
 * 'newRoomsPerHour'} when refused, {3, room} when that room would have to make space: the caller
 * checks its idleness in its slot first, then asks again naming it; {4, room} when that room made
 * space but the set is still full (it held one room over the bound, see RedisHistoryBounds): the
 * caller removes that room's history, then asks again.
 */
export const ADMIT_ROOM = new LuaScript(`
local rooms, room = KEYS[1], ARGV[1]
if redis.call('ZSCORE', rooms, room) then return {1, ''} end
if KEYS[2] and tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[5]) then
  return {2, 'newRoomsPerHour'}
end
local evicted = ''
if redis.call('ZCARD', rooms) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', rooms, 0, 0, 'WITHSCORES')
  if tonumber(oldest[2]) > tonumber(ARGV[4]) then return {2, 'rooms'} end
  if oldest[1] ~= ARGV[7] then return {3, oldest[1]} end
  redis.call('ZREM', rooms, oldest[1])
  evicted = oldest[1]
  if redis.call('ZCARD', rooms) >= tonumber(ARGV[3]) then return {4, evicted} end
end
redis.call('ZADD', rooms, ARGV[2], room)
if KEYS[2] then
  redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
end
return {1, evicted}
`);

/** Lua: the ts of the newest message of the room whose history list is `list`, or -1 for none. */
const LAST_WRITE = `
local newest = redis.call('LINDEX', KEYS[2], -1)
local lastWrite = -1
if newest then lastWrite = cjson.decode(newest).ts end
`;

/**
 * KEYS: a room's last offset, its history list, its clientMsgIds, when the bounds last recorded a
 * write to it. ARGV: the idle cutoff.
 * Returns {1} when the room's newest message is at or before the cutoff (or it has none): its
 * history is then removed; else {0, that message's ts}, and nothing changes.
 */
export const FORGET_IDLE_ROOM = new LuaScript(`${LAST_WRITE}
if lastWrite > tonumber(ARGV[1]) then return {0, lastWrite} end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return {1}
`);

/** KEYS: a room's last offset, its history list. Returns the ts of its newest message, or -1. */
export const ROOM_LAST_WRITE = new LuaScript(`${LAST_WRITE}
return lastWrite
`);
