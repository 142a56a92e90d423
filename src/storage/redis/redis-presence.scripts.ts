import { LuaScript } from './lua-script.js';
import { DEPARTURE_FUNCTIONS } from './redis-departures.scripts.js';

/**
 * Presence keys, under the presence prefix P (every script's ARGV[1]):
 *   P..'socket:'..socketId     set of the socket's rooms
 *   P..'users:'..room          hash user id → user JSON, of the users present in the room
 *   P..'user-rooms:'..userId   set of the rooms where the user is present (for SHARES_ROOM)
 *   P..'rooms'                 sorted set (all scores 0, so ordered by name) of the rooms with
 *                              present users: kept in step with 'users:' in the same scripts
 *   P..'counts:'..room         hash user id → how many of the user's sockets are in the room
 *   P..'node:'..nodeId         hash socket id → user id, of the node's sockets that are in a room
 *   P..'nodes'                 sorted set of node ids by their last heartbeat (ms, Redis's clock)
 *   P..'epoch'                 a random id set when the store (Redis's data) began
 * The keys are built here rather than passed in because reaping a dead node reaches rooms that
 * only Redis knows; P is in the users' hash slot (RedisKeys.usersSlot), which every script is
 * given as KEYS[1] so that a Redis Cluster runs it where these keys are.
 */

/** Takes a socket out of a room; returns the user's JSON when that was the user's last socket there. */
const LEAVE_ROOM = `
local function leaveRoom(prefix, room, userId, socketId)
  if redis.call('SREM', prefix .. 'socket:' .. socketId, room) == 0 then return false end
  local counts = prefix .. 'counts:' .. room
  if redis.call('HINCRBY', counts, userId, -1) > 0 then return false end
  redis.call('HDEL', counts, userId)
  redis.call('SREM', prefix .. 'user-rooms:' .. userId, room)
  local users = prefix .. 'users:' .. room
  local user = redis.call('HGET', users, userId)
  redis.call('HDEL', users, userId)
  if redis.call('HLEN', users) == 0 then redis.call('ZREM', prefix .. 'rooms', room) end
  return user
end
`;

const NOW_MS = `
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * ARGV: prefix, room, user id, user JSON, socket id, rooms limit, node id; with departures
 * scheduled (else absent), the delay ms.
 * Returns {socketAdded, userChanged, overLimit} as 0 or 1; with departures, then {roomOccupied,
 * memberJoined}: an arrival that takes back its departure is neither.
 */
export const JOIN_ROOM = new LuaScript(`${DEPARTURE_FUNCTIONS}
local prefix, room, userId, userJson, socketId = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local socketRooms = prefix .. 'socket:' .. socketId
if redis.call('SISMEMBER', socketRooms, room) == 1 then return {0, 0, 0, 0, 0} end
if redis.call('SCARD', socketRooms) >= tonumber(ARGV[6]) then return {0, 0, 1, 0, 0} end
redis.call('SADD', socketRooms, room)
redis.call('HSET', prefix .. 'node:' .. ARGV[7], socketId, userId)
if redis.call('HINCRBY', prefix .. 'counts:' .. room, userId, 1) == 1 then
  local users = prefix .. 'users:' .. room
  local departures = ARGV[8] ~= nil
  local roomWasEmpty = departures and redis.call('HLEN', users) == 0
  redis.call('HSET', users, userId, userJson)
  redis.call('SADD', prefix .. 'user-rooms:' .. userId, room)
  redis.call('ZADD', prefix .. 'rooms', 0, room)
  if not departures then return {1, 1, 0, 0, 0} end
  local memberJoined = 1
  if takeBackDeparture(prefix, 'm:' .. room .. ' ' .. userId) then memberJoined = 0 end
  local roomOccupied = 0
  if roomWasEmpty and not takeBackDeparture(prefix, 'r:' .. room) then roomOccupied = 1 end
  return {1, 1, 0, roomOccupied, memberJoined}
end
return {1, 0, 0, 0, 0}
`);

/**
 * ARGV: prefix, room, user id, socket id, node id; with departures scheduled (else absent), the
 * delay ms and the reason ('leave' or 'disconnect'). Returns 1 when the user stopped being present.
 */
export const LEAVE = new LuaScript(`${LEAVE_ROOM}${DEPARTURE_FUNCTIONS}
local prefix, room, userId, socketId = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local user = leaveRoom(prefix, room, userId, socketId)
if redis.call('EXISTS', prefix .. 'socket:' .. socketId) == 0 then
  redis.call('HDEL', prefix .. 'node:' .. ARGV[5], socketId)
end
if not user then return 0 end
if ARGV[6] ~= nil then
  departedRoom(prefix, room, userId, user, ARGV[7] == 'disconnect', nowMs() + tonumber(ARGV[6]))
end
return 1
`);

/**
 * ARGV: prefix, user id, other user id. Returns 1 when both are present in a common room. One
 * round trip whatever the number of rooms: the user's rooms are read and checked inside Redis.
 */
export const SHARES_ROOM = new LuaScript(`
for _, room in ipairs(redis.call('SMEMBERS', ARGV[1] .. 'user-rooms:' .. ARGV[2])) do
  if redis.call('HEXISTS', ARGV[1] .. 'users:' .. room, ARGV[3]) == 1 then return 1 end
end
return 0
`);

/**
 * Marks the node alive now. ARGV: prefix, node id, an epoch for a store that has none yet.
 * Returns {1 when the node was not registered (new, or removed since), the store's epoch}. The
 * epoch is set once per store and goes with its data: a new epoch means Redis lost the data.
 */
export const HEARTBEAT = new LuaScript(`${NOW_MS}
local epochKey = ARGV[1] .. 'epoch'
local epoch = redis.call('GET', epochKey)
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', epochKey, epoch)
end
return {redis.call('ZADD', ARGV[1] .. 'nodes', nowMs, ARGV[2]), epoch}
`);

/**
 * Removes the presence of up to `batch` sockets of nodes silent for longer than the timeout (not
 * the caller's own), and forgets a dead node once it has none left. Several nodes may reap at
 * once: each socket leaves each room in one atomic step, so each departure is reported once.
 * ARGV: prefix, timeout ms, batch, own node id; with departures scheduled (else absent), the
 * delay ms: each user who stopped being present departs as by a disconnection.
 * Returns {more (0 or 1), room, user JSON, room, user JSON, ...}: the users who stopped being present.
 */
export const REAP_DEAD_NODES = new LuaScript(`${LEAVE_ROOM}${DEPARTURE_FUNCTIONS}${NOW_MS}
local prefix, budget = ARGV[1], tonumber(ARGV[3])
local nodes = prefix .. 'nodes'
local result = {0}
local dead = redis.call('ZRANGEBYSCORE', nodes, '-inf', nowMs - tonumber(ARGV[2]))
for _, node in ipairs(dead) do
  if node ~= ARGV[4] then
    local nodeSockets = prefix .. 'node:' .. node
    local entries = redis.call('HSCAN', nodeSockets, 0, 'COUNT', budget)[2]
    for i = 1, #entries, 2 do
      local socketId, userId = entries[i], entries[i + 1]
      for _, room in ipairs(redis.call('SMEMBERS', prefix .. 'socket:' .. socketId)) do
        local user = leaveRoom(prefix, room, userId, socketId)
        if user then
          table.insert(result, room)
          table.insert(result, user)
          if ARGV[5] ~= nil then departedRoom(prefix, room, userId, user, true, nowMs + tonumber(ARGV[5])) end
        end
      end
      redis.call('HDEL', nodeSockets, socketId)
      budget = budget - 1
    end
    if redis.call('HLEN', nodeSockets) == 0 then
      redis.call('ZREM', nodes, node)
    else
      result[1] = 1
    end
    if budget <= 0 then
      result[1] = 1
      return result
    end
  end
end
return result
`);

/**
 * The rooms with present users after a name, by name. ARGV: prefix, the name to start after ('' for
 * the first page), limit. Returns {room, member count, room, member count, ...}, at most limit + 1
 * rooms (one more than asked, to tell whether others follow).
 */
export const PRESENT_ROOMS = new LuaScript(`
local prefix = ARGV[1]
local start = '-'
if ARGV[2] ~= '' then start = '(' .. ARGV[2] end
local rooms = redis.call('ZRANGEBYLEX', prefix .. 'rooms', start, '+', 'LIMIT', 0, tonumber(ARGV[3]) + 1)
local result = {}
for _, room in ipairs(rooms) do
  table.insert(result, room)
  table.insert(result, redis.call('HLEN', prefix .. 'users:' .. room))
end
return result
`);
