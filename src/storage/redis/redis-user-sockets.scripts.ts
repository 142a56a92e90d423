import { DEPARTURE_FUNCTIONS } from './redis-departures.scripts.js';
import { LuaScript } from './lua-script.js';

/**
 * KEYS[1]: the user's sorted set of `socketId@nodeId` by connection time (µs, Redis's clock).
 * KEYS[2]: the presence store's sorted set of node ids by their last heartbeat (ms).
 * ARGV: socket id, node id, max, node timeout ms, key ttl ms; with departures scheduled (else
 * absent): delay ms, presence prefix, user id, user JSON, sockets-of-node prefix, nodes-with-sockets key.
 * Forgets the user's sockets on nodes that stopped heartbeating (they died without a goodbye, and
 * their sockets with them), adds the socket, and takes out the oldest beyond max. With departures,
 * registers the socket under its node too, and takes back the user's departure when the user had
 * no socket: a user whose only sockets were on a dead node comes back rather than arrives.
 * Returns {1 when the user came online (else 0), the socket ids taken out, oldest first}.
 */
export const ADD_USER_SOCKET = new LuaScript(`${DEPARTURE_FUNCTIONS}
local time = redis.call('TIME')
local nowUs = tonumber(time[1]) * 1000000 + tonumber(time[2])
local oldestBeat = math.floor(nowUs / 1000) - tonumber(ARGV[4])
local departing = ARGV[6] ~= nil
local arriving = departing and redis.call('EXISTS', KEYS[1]) == 0
local alive = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local node = string.match(member, '@([^@]*)$')
  if alive[node] == nil then
    local beat = redis.call('ZSCORE', KEYS[2], node)
    alive[node] = beat ~= false and tonumber(beat) >= oldestBeat
  end
  if not alive[node] then redis.call('ZREM', KEYS[1], member) end
end
redis.call('ZADD', KEYS[1], nowUs, ARGV[1] .. '@' .. ARGV[2])
-- Only for users who never come back: a live socket's entry goes when it disconnects.
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local result = {0}
if departing then
  redis.call('HSET', ARGV[10] .. ARGV[2], ARGV[1], ARGV[9])
  redis.call('SADD', ARGV[11], ARGV[2])
  if arriving and not takeBackDeparture(ARGV[7], 'u:' .. ARGV[8]) then result[1] = 1 end
end
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, excess - 1)) do
    local socketId, node = string.match(member, '^(.*)@([^@]*)$')
    table.insert(result, socketId)
    if departing then redis.call('HDEL', ARGV[10] .. node, socketId) end
  end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
end
return result
`);

/**
 * KEYS[1]: the user's sorted set, as above. ARGV: socket id, node id, key ttl ms; with departures
 * scheduled (else absent): presence prefix, user id, user JSON, sockets-of-node prefix,
 * nodes-with-sockets key. Adds the socket as the newest unless it is there already, where it
 * keeps its place; with departures, registers it under its node and takes back the user's
 * departure, as ADD_USER_SOCKET does, but tells nothing.
 */
export const RESTORE_USER_SOCKET = new LuaScript(`${DEPARTURE_FUNCTIONS}
local time = redis.call('TIME')
local nowUs = tonumber(time[1]) * 1000000 + tonumber(time[2])
redis.call('ZADD', KEYS[1], 'NX', nowUs, ARGV[1] .. '@' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] ~= nil then
  redis.call('HSET', ARGV[7] .. ARGV[2], ARGV[1], ARGV[6])
  redis.call('SADD', ARGV[8], ARGV[2])
  takeBackDeparture(ARGV[4], 'u:' .. ARGV[5])
end
`);
