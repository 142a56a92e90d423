import { LuaScript } from './lua-script.js';

/**
 * The schedule of departures (see storage/departures.ts), under the presence prefix P:
 *   P..'departures'      sorted set of subjects ('u:'..userId, 'm:'..room..' '..userId,
 *                        'r:'..room) by when they are due (ms since the epoch)
 *   P..'departure-data'  hash subject → the departure's JSON, as DueDeparture
 * A departure is written in the same script as the presence change that makes its subject absent,
 * and taken back in the same script as the one that makes it present again: between the two, no
 * other node can see the subject absent without its departure, or present with it.
 */
export const DEPARTURE_FUNCTIONS = `
local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local function scheduleDeparture(prefix, subject, json, due)
  if redis.call('ZADD', prefix .. 'departures', 'NX', due, subject) == 1 then
    redis.call('HSET', prefix .. 'departure-data', subject, json)
  end
end
local function takeBackDeparture(prefix, subject)
  if redis.call('ZREM', prefix .. 'departures', subject) == 0 then return false end
  redis.call('HDEL', prefix .. 'departure-data', subject)
  return true
end
local function userDeparture(userJson, lastSeen)
  return '{"kind":"user","user":' .. userJson .. ',"lastSeen":' .. string.format('%.0f', lastSeen) .. '}'
end
-- A user stopped being present in a room: a disconnection is a departure of the member, and the
-- room's last member going is the room's.
local function departedRoom(prefix, room, userId, userJson, disconnected, due)
  local roomJson = cjson.encode(room)
  if disconnected then
    scheduleDeparture(prefix, 'm:' .. room .. ' ' .. userId,
      '{"kind":"member","room":' .. roomJson .. ',"user":' .. userJson .. '}', due)
  end
  if redis.call('HLEN', prefix .. 'users:' .. room) == 0 then
    scheduleDeparture(prefix, 'r:' .. room, '{"kind":"room","room":' .. roomJson .. '}', due)
  end
end
`;

/**
 * First takes out a batch of the sockets of dead nodes (silent for longer than the timeout, not
 * the caller) from their users, scheduling the departure of each user left with none; then takes
 * the departures due by `now` and returns the JSON of those whose subject is still absent.
 * ARGV: presence prefix, user-sockets prefix, sockets-of-node prefix, nodes-with-sockets key, now,
 * limit, node timeout ms, batch, own node id, delay ms.
 */
export const CLAIM_DUE_DEPARTURES = new LuaScript(`${DEPARTURE_FUNCTIONS}
local prefix, userSockets, socketsOfNode, nodesWithSockets = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now, budget, delay = nowMs(), tonumber(ARGV[8]), tonumber(ARGV[10])
for _, node in ipairs(redis.call('SMEMBERS', nodesWithSockets)) do
  local beat = redis.call('ZSCORE', prefix .. 'nodes', node)
  if node ~= ARGV[9] and (beat == false or tonumber(beat) < now - tonumber(ARGV[7])) then
    local lastSeen = now
    if beat ~= false then lastSeen = tonumber(beat) end
    local index = socketsOfNode .. node
    local entries = redis.call('HSCAN', index, 0, 'COUNT', budget)[2]
    for i = 1, #entries, 2 do
      local socketId, userJson = entries[i], entries[i + 1]
      local userId = cjson.decode(userJson).id
      local key = userSockets .. userId
      if redis.call('ZREM', key, socketId .. '@' .. node) == 1 and redis.call('EXISTS', key) == 0 then
        scheduleDeparture(prefix, 'u:' .. userId, userDeparture(userJson, lastSeen), now + delay)
      end
      redis.call('HDEL', index, socketId)
      budget = budget - 1
    end
    if redis.call('EXISTS', index) == 0 then redis.call('SREM', nodesWithSockets, node) end
    if budget <= 0 then break end
  end
end
local departures = prefix .. 'departures'
local result = {}
for _, subject in ipairs(redis.call('ZRANGEBYSCORE', departures, '-inf', ARGV[5], 'LIMIT', 0, tonumber(ARGV[6]))) do
  redis.call('ZREM', departures, subject)
  local json = redis.call('HGET', prefix .. 'departure-data', subject)
  redis.call('HDEL', prefix .. 'departure-data', subject)
  local kind, name = string.sub(subject, 1, 1), string.sub(subject, 3)
  local absent
  if kind == 'u' then
    absent = redis.call('EXISTS', userSockets .. name) == 0
  elseif kind == 'm' then
    local room, userId = string.match(name, '^([^ ]*) (.*)$')
    absent = redis.call('HEXISTS', prefix .. 'counts:' .. room, userId) == 0
  else
    absent = redis.call('HLEN', prefix .. 'users:' .. name) == 0
  end
  if absent and json then table.insert(result, json) end
end
return result
`);

/**
 * Forgets a socket of this node and, when it was the user's last, schedules the user's departure.
 * KEYS[1]: the user's sockets. ARGV: socket id, node id, presence prefix, user id, user JSON, this
 * node's sockets-of-node key, delay ms.
 */
export const REMOVE_USER_SOCKET_DEPARTING = new LuaScript(`${DEPARTURE_FUNCTIONS}
if redis.call('ZREM', KEYS[1], ARGV[1] .. '@' .. ARGV[2]) == 0 then return 0 end
redis.call('HDEL', ARGV[6], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = nowMs()
scheduleDeparture(ARGV[3], 'u:' .. ARGV[4], userDeparture(ARGV[5], now), now + tonumber(ARGV[7]))
return 1
`);
