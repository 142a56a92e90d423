import { LuaScript } from './lua-script.js';

/**
 * Pending-notification keys, under the pending prefix P (every script's ARGV[1]):
 *   P..'order:'..userId    sorted set of the user's notification ids by sequence (delivery order)
 *   P..'items:'..userId    hash notification id → notification JSON
 *   P..'all'               sorted set of id..'\0'..userId by sequence, to drop the oldest of all
 *   P..'sequence'          the counter that orders them
 * Ids are UUIDs (no NUL), so the first NUL of an 'all' member ends the id.
 */
const FORGET = `
local function forget(prefix, userId, id)
  if redis.call('ZREM', prefix .. 'order:' .. userId, id) == 0 then return end
  redis.call('HDEL', prefix .. 'items:' .. userId, id)
  redis.call('ZREM', prefix .. 'all', id .. '\\0' .. userId)
end
`;

/** ARGV: prefix, user id, notification id, notification JSON, per-user limit, total limit. */
export const ADD_PENDING = new LuaScript(`${FORGET}
local prefix, userId, id = ARGV[1], ARGV[2], ARGV[3]
local order = prefix .. 'order:' .. userId
local sequence = redis.call('INCR', prefix .. 'sequence')
redis.call('HSET', prefix .. 'items:' .. userId, id, ARGV[4])
redis.call('ZADD', order, sequence, id)
redis.call('ZADD', prefix .. 'all', sequence, id .. '\\0' .. userId)
if redis.call('ZCARD', order) > tonumber(ARGV[5]) then
  forget(prefix, userId, redis.call('ZRANGE', order, 0, 0)[1])
end
if redis.call('ZCARD', prefix .. 'all') > tonumber(ARGV[6]) then
  local oldest = redis.call('ZRANGE', prefix .. 'all', 0, 0)[1]
  local separator = string.find(oldest, '\\0', 1, true)
  forget(prefix, string.sub(oldest, separator + 1), string.sub(oldest, 1, separator - 1))
end
`);

/** ARGV: prefix, user id. Returns the notifications' JSON, oldest first. */
export const LIST_PENDING = new LuaScript(`
local prefix, userId = ARGV[1], ARGV[2]
local ids = redis.call('ZRANGE', prefix .. 'order:' .. userId, 0, -1)
if #ids == 0 then return {} end
return redis.call('HMGET', prefix .. 'items:' .. userId, unpack(ids))
`);

/** ARGV: prefix, user id, notification id. */
export const ACKNOWLEDGE_PENDING = new LuaScript(`${FORGET}
forget(ARGV[1], ARGV[2], ARGV[3])
`);
