import { LuaScript } from './lua-script.js';

/**
 * Pending-notification keys, under the pending prefix P (every script's ARGV[1]):
 *   P..'order:'..userId    sorted set of the user's notification ids by sequence (delivery order)
 *   P..'items:'..userId    hash notification id → notification JSON
 *   P..'all'               sorted set of id..'\0'..userId by sequence, to drop the oldest of all
 *   P..'sequence'          the counter that orders them
 *   P..'offers:'..nodeId   sorted set of the user ids whose sockets the node holds by when it
 *                          next offers them what they have pending (ms since the epoch)
 * Ids are UUIDs (no NUL), so the first NUL of an 'all' member ends the id.
 */
const FORGET = `
local function forget(prefix, userId, id)
  if redis.call('ZREM', prefix .. 'order:' .. userId, id) == 0 then return end
  redis.call('HDEL', prefix .. 'items:' .. userId, id)
  redis.call('ZREM', prefix .. 'all', id .. '\\0' .. userId)
end
`;

/**
 * ARGV: prefix, user id, notification id, notification JSON, per-user limit, total limit, the
 * user's key in the user-sockets store, when to offer it again, the offers' time to live (ms).
 * In the same step as it is stored, the notification is scheduled on every node that holds a
 * socket of the user (the members of the user-sockets key are 'socketId@nodeId'): those nodes
 * offer it again whether or not the node that accepted it lives on and its broadcast arrives.
 */
export const ADD_PENDING = new LuaScript(`${FORGET}
local prefix, userId, id = ARGV[1], ARGV[2], ARGV[3]
local scheduled = {}
for _, member in ipairs(redis.call('ZRANGE', ARGV[7], 0, -1)) do
  local node = string.match(member, '@([^@]*)$')
  if node ~= nil and scheduled[node] == nil then
    scheduled[node] = true
    redis.call('ZADD', prefix .. 'offers:' .. node, ARGV[8], userId)
    redis.call('PEXPIRE', prefix .. 'offers:' .. node, ARGV[9])
  end
end
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

/** KEYS[1]: a node's offers. ARGV: user id, when, the offers' time to live (ms). */
export const SCHEDULE_OFFER = new LuaScript(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
`);

/**
 * KEYS[1]: a node's offers. ARGV: prefix, now, limit. Returns user id, when, … of the offers due
 * by now, soonest first, of users who have something pending; drops the others' offers.
 */
export const DUE_OFFERS = new LuaScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
local offers = {}
for index = 1, #due, 2 do
  if redis.call('EXISTS', ARGV[1] .. 'order:' .. due[index]) == 1 then
    table.insert(offers, due[index])
    table.insert(offers, due[index + 1])
  else
    redis.call('ZREM', KEYS[1], due[index])
  end
end
return offers
`);

/**
 * KEYS[1]: a node's offers. ARGV: user id, when it was due as read, when next ('' to drop it), the
 * offers' time to live (ms). Changes nothing when the offer is no longer due when it was read: a
 * notification or a connection restarted the schedule meanwhile.
 */
export const RESCHEDULE_OFFER = new LuaScript(`
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at == false or tonumber(at) ~= tonumber(ARGV[2]) then return 0 end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
`);
