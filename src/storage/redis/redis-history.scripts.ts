import type { MessageBroadcast } from '../stores.js';
import { LuaScript } from './lua-script.js';
import { MAIN_NAMESPACE } from './room-channels.js';
import { appendWebhookEntryLua, trimWebhookStreamLua } from './redis-webhook-queue.scripts.js';

/** Socket.IO's packet type of an event. */
const EVENT_PACKET_TYPE = 2;
/** The cluster adapter's message type of a broadcast. */
const BROADCAST_MESSAGE_TYPE = 3;
/**
 * The sender id that the cluster adapter reserves for publishers that are not nodes: every node,
 * the publishing one included, delivers such a message, and none counts it as another node.
 */
const EXTERNAL_PUBLISHER_UID = 'emitter';

/**
 * The cluster adapter's message (RoomChannelsAdapter, socket.io-adapter's format) for a message's
 * broadcast, around the message JSON that only APPEND_MESSAGE knows in full (its offset): the
 * message published is `before + message JSON + after`.
 */
export function broadcastAround(broadcast: MessageBroadcast): [before: string, after: string] {
  return [
    `{"uid":${JSON.stringify(EXTERNAL_PUBLISHER_UID)},"nsp":${JSON.stringify(MAIN_NAMESPACE)},` +
      `"type":${BROADCAST_MESSAGE_TYPE},"data":{"packet":{"type":${EVENT_PACKET_TYPE},` +
      `"data":[${JSON.stringify(broadcast.event)},`,
    `],"nsp":${JSON.stringify(MAIN_NAMESPACE)}},"opts":{"rooms":${JSON.stringify(broadcast.rooms)},` +
      `"except":${JSON.stringify(broadcast.except)},"flags":{}}}}`,
  ];
}

/**
 * Stores a message with the room's next offset, in one step with the clientMsgId check and the
 * trim to the history limit, and (when asked) publishes its broadcast to the room's channel in
 * that same step. Publishing inside the script is what keeps delivery in offset order across
 * nodes: Redis delivers a channel's messages in the order they were published, and here no other
 * send of the room can come between the allocation of an offset and the message that carries it.
 *
 * Every key, and the room's channel, is of the room's hash slot. A room without a history (its offset
 * counter absent) must first be let in by ADMIT_ROOM (the history's bounds, in a slot of their
 * own): unless ARGV[5] says it was, the script then changes nothing and says so. Times are the
 * message's `ts` (ms).
 *
 * KEYS: last offset, history list, clientMsgId → offset hash, when the bounds last recorded a
 * write to the room (see RedisHistoryBounds); with a webhook event to queue (and only then), the
 * partition's webhook stream and its dropped counter, or on a Redis Cluster (where the partition
 * is in another slot) the room's webhook outbox alone, whose drops the caller counts.
 * ARGV: history limit, idempotency key ('' for none), message JSON before and after its offset,
 * '1' when the room was let in, the message's ts, how long after the bounds last recorded a write
 * to the room they are to record one again, '1' when a repeated
 * clientMsgId must write anyway: its caller then waits for replicas (REDIS_WAIT_REPLICAS), and
 * Redis's WAIT covers only the writes of its own connection, and the earlier message may have been
 * written by another (rewriting its entry puts a write behind it in the replication stream, so
 * replicas that confirm the rewrite hold the message too).
 * Then the broadcast: the channel to publish to ('' for none), the published message before and
 * after the message JSON. Then, with a webhook event, the partition's bound, the event's ts,
 * its JSON before and after the message JSON: queued in this step, like the broadcast, so that the
 * partition holds a room's message.created in offset order.
 * Returns {1, offset, 1 when the bounds are to record this write (ADMIT_ROOM recorded a new
 * room's first), else 0, the event's position in its stream ('' without one), how many events the
 * outbox dropped} for a new message, {0, earlier message JSON} for a repeated clientMsgId, {3} for a room that
 * was not let in and has no history.
 */
export const APPEND_MESSAGE = new LuaScript(`
local limit = tonumber(ARGV[1])
local idempotencyKey = ARGV[2]
if idempotencyKey ~= '' then
  local earlier = redis.call('HGET', KEYS[3], idempotencyKey)
  if earlier then
    local last = tonumber(redis.call('GET', KEYS[1]) or '0')
    local index = tonumber(earlier) - (last - redis.call('LLEN', KEYS[2]) + 1)
    if index >= 0 then
      if ARGV[8] == '1' then redis.call('HSET', KEYS[3], idempotencyKey, earlier) end
      return {0, redis.call('LINDEX', KEYS[2], index)}
    end
  end
end
if ARGV[5] ~= '1' and redis.call('EXISTS', KEYS[1]) == 0 then return {3} end
local now = tonumber(ARGV[6])
local touch = 0
if now - tonumber(redis.call('GET', KEYS[4]) or '0') >= tonumber(ARGV[7]) then
  redis.call('SET', KEYS[4], ARGV[6])
  if ARGV[5] ~= '1' then touch = 1 end
end
local offset = redis.call('INCR', KEYS[1])
local message = ARGV[3] .. offset .. ARGV[4]
local length = redis.call('RPUSH', KEYS[2], message)
if idempotencyKey ~= '' then
  redis.call('HSET', KEYS[3], idempotencyKey, offset)
end
while length > limit do
  local dropped = cjson.decode(redis.call('LPOP', KEYS[2]))
  if dropped.clientMsgId then
    redis.call('HDEL', KEYS[3], dropped.user.id .. '\\0' .. dropped.clientMsgId)
  end
  length = length - 1
end
if ARGV[9] ~= '' then
  redis.call('SPUBLISH', ARGV[9], ARGV[10] .. message .. ARGV[11])
end
local queued = ''
local trimmed = 0
if ARGV[12] then
  queued = ${appendWebhookEntryLua('KEYS[5]', 'ARGV[13]', 'ARGV[14] .. message .. ARGV[15]')}
  ${trimWebhookStreamLua('KEYS[5]', 'ARGV[12]', 'trimmed')}
  if KEYS[6] and trimmed > 0 then
    redis.call('INCRBY', KEYS[6], trimmed)
    trimmed = 0
  end
end
return {1, offset, touch, queued, trimmed}
`);

/**
 * One page of a room's history, read in one step so that offsets and list positions agree.
 * The list holds contiguous offsets, its first item being (last offset - length + 1).
 *
 * KEYS: last offset, history list. ARGV: 'after' or 'before', after, before ('' for none), limit.
 * Returns {hasMore (0 or 1), message JSON...}, oldest first.
 */
export const READ_PAGE = new LuaScript(`
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local length = redis.call('LLEN', KEYS[2])
local first = last - length + 1
local limit = tonumber(ARGV[4])
local function clamp(value, low, high) return math.min(high, math.max(low, value)) end
local start, stop, hasMore
if ARGV[1] == 'after' then
  start = clamp(tonumber(ARGV[2]) + 1 - first, 0, length)
  local finish = length
  if ARGV[3] ~= '' then finish = clamp(tonumber(ARGV[3]) - first, start, length) end
  stop = math.min(finish, start + limit)
  hasMore = stop < finish
else
  stop = length
  if ARGV[3] ~= '' then stop = clamp(tonumber(ARGV[3]) - first, 0, length) end
  start = math.max(0, stop - limit)
  hasMore = start > 0
end
local page = {}
if stop > start then page = redis.call('LRANGE', KEYS[2], start, stop - 1) end
table.insert(page, 1, hasMore and 1 or 0)
return page
`);
