import { LuaScript } from './lua-script.js';

/**
 * KEYS[1]: the user's sorted set of `socketId@nodeId` by connection time (µs, Redis's clock).
 * KEYS[2]: the presence store's sorted set of node ids by their last heartbeat (ms).
 * ARGV: socket id, node id, max, node timeout ms, key ttl ms.
 * Forgets the user's sockets on nodes that stopped heartbeating (they died without a goodbye, and
 * their sockets with them), adds the socket, and takes out the oldest beyond max.
 * Returns the socket ids taken out, oldest first.
 */
export const ADD_USER_SOCKET = new LuaScript(`
local time = redis.call('TIME')
local nowUs = tonumber(time[1]) * 1000000 + tonumber(time[2])
local oldestBeat = math.floor(nowUs / 1000) - tonumber(ARGV[4])
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
local replaced = {}
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, excess - 1)) do
    table.insert(replaced, string.match(member, '^(.*)@[^@]*$'))
  end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
end
return replaced
`);

/**
 * KEYS[1]: the user's sorted set, as above. ARGV: socket id, node id, key ttl ms. Adds the socket
 * as the newest unless it is there already, where it keeps its place.
 */
export const RESTORE_USER_SOCKET = new LuaScript(`
local time = redis.call('TIME')
local nowUs = tonumber(time[1]) * 1000000 + tonumber(time[2])
redis.call('ZADD', KEYS[1], 'NX', nowUs, ARGV[1] .. '@' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
`);
