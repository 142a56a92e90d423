import { LuaScript } from './lua-script.js';

/**
 * Pending-notification keys, under the pending prefix P (every script's ARGV[1]):
 *   P..'order:'..userId    sorted set of the user's notification ids by sequence (delivery order)
 *   P..'items:'..userId    hash notification id → notification JSON
 *   P..'all'               sorted set of id..'\0'..userId by sequence, to drop the oldest of all
 *   P..'sequence'          the counter that orders them
 *   P..'offers:'..nodeId   sorted set of the user ids whose sockets the node holds by when it
 *                          next offers them what they have pending (ms since the epoch)
 *   P..'unacknowledged'    only with webhooks telling notification.unacknowledged: sorted set of
 *                          id..'\0'..userId by when the notification is due to be told
 *                          unacknowledged; a notification that is forgotten leaves it
 * Ids are UUIDs (no NUL), so the first NUL of an 'all' member ends the id.
 */
const FORGET = `
local function forget(prefix, userId, id, watched)
  if redis.call('ZREM', prefix .. 'order:' .. userId, id) == 0 then return end
  redis.call('HDEL', prefix .. 'items:' .. userId, id)
  redis.call('ZREM', prefix .. 'all', id .. '\\0' .. userId)
  if watched then redis.call('ZREM', prefix .. 'unacknowledged', id .. '\\0' .. userId) end
end
`;

/**
 * ARGV: prefix, user id, notification id, notification JSON, per-user limit, total limit, the
 * user's key in the user-sockets store, when to offer it again, the offers' time to live (ms);
 * with notification.unacknowledged told (else absent), when it is due to be told unacknowledged.
 * In the same step as it is stored, the notification is scheduled on every node that holds a
 * socket of the user (the members of the user-sockets key are 'socketId@nodeId'): those nodes
 * offer it again whether or not the node that accepted it lives on and its broadcast arrives.
 */
export const ADD_PENDING = new LuaScript(`${FORGET}
local prefix, userId, id = ARGV[1], ARGV[2], ARGV[3]
local watched = ARGV[10] ~= nil
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
if watched then redis.call('ZADD', prefix .. 'unacknowledged', ARGV[10], id .. '\\0' .. userId) end
if redis.call('ZCARD', order) > tonumber(ARGV[5]) then
  forget(prefix, userId, redis.call('ZRANGE', order, 0, 0)[1], watched)
end
if redis.call('ZCARD', prefix .. 'all') > tonumber(ARGV[6]) then
  local oldest = redis.call('ZRANGE', prefix .. 'all', 0, 0)[1]
  local separator = string.find(oldest, '\\0', 1, true)
  forget(prefix, string.sub(oldest, separator + 1), string.sub(oldest, 1, separator - 1), watched)
end
`);

/** ARGV: prefix, user id. Returns the notifications' JSON, oldest first. */
export const LIST_PENDING = new LuaScript(`
local prefix, userId = ARGV[1], ARGV[2]
local ids = redis.call('ZRANGE', prefix .. 'order:' .. userId, 0, -1)
if #ids == 0 then return {} end
return redis.call('HMGET', prefix .. 'items:' .. userId, unpack(ids))
`);

/** ARGV: prefix, user id, notification id; with notification.unacknowledged told, '1'. */
export const ACKNOWLEDGE_PENDING = new LuaScript(`${FORGET}
forget(ARGV[1], ARGV[2], ARGV[3], ARGV[4] ~= nil)
`);

/**
 * ARGV: prefix, now, limit. Takes the notifications due by now from the unacknowledged schedule
 * (it is one script: of nodes claiming at once, one gets each) and returns user id, notification
 * JSON, … of those still pending, oldest first.
 */
export const CLAIM_UNACKNOWLEDGED = new LuaScript(`
local prefix = ARGV[1]
local schedule = prefix .. 'unacknowledged'
local result = {}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', schedule, '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  redis.call('ZREM', schedule, member)
  local separator = string.find(member, '\\0', 1, true)
  local id, userId = string.sub(member, 1, separator - 1), string.sub(member, separator + 1)
  local json = redis.call('HGET', prefix .. 'items:' .. userId, id)
  if json then
    table.insert(result, userId)
    table.insert(result, json)
  end
end
return result
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
