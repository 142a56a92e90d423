import { LuaScript } from './lua-script.js';

/** The fields of a webhook stream entry: the event's time (ms) and its JSON. */
export const WEBHOOK_ENTRY_TS_FIELD = 't';
export const WEBHOOK_ENTRY_JSON_FIELD = 'e';
/** A marker's fields beside its time (WebhookMarker): its room, and its event's outbox position. */
export const WEBHOOK_MARKER_ROOM_FIELD = 'o';
export const WEBHOOK_MARKER_UP_TO_FIELD = 'u';

/**
 * Lua that appends one event to a webhook stream (a partition's, or on a Redis Cluster a room's
 * outbox), as an expression whose value is the entry's position. Every script that queues webhook
 * events (the queue's own append, and the history's, which queues `message.created` in the step
 * that gives the message its offset) writes entries with this, so that they all read the same.
 * The arguments are Lua expressions.
 */
export function appendWebhookEntryLua(stream: string, ts: string, json: string): string {
  return (
    `redis.call('XADD', ${stream}, '*', '${WEBHOOK_ENTRY_TS_FIELD}', ${ts}, ` +
    `'${WEBHOOK_ENTRY_JSON_FIELD}', ${json})`
  );
}

/**
 * Lua that trims a webhook stream to its bound and adds what it trimmed to the Lua variable
 * `trimmed`: run in the same script as the append, so that the stream never holds more than its
 * bound and every event dropped is counted. The arguments are Lua expressions.
 */
export function trimWebhookStreamLua(stream: string, bound: string, trimmed: string): string {
  return `do
  local over = redis.call('XLEN', ${stream}) - tonumber(${bound})
  if over > 0 then
    redis.call('XTRIM', ${stream}, 'MAXLEN', ${bound})
    ${trimmed} = ${trimmed} + over
  end
end`;
}

/**
 * KEYS: the partition's stream, its dropped counter. ARGV: the partition's bound, how many events
 * the markers' outboxes dropped, then three per entry: `ts`, then `json` and '' for an event, or
 * the room and `upTo` for a marker. Trimmed markers are not counted: their events are not dropped
 * but wait in their room's outbox, for the room's next marker.
 */
export const APPEND_WEBHOOK_ENTRIES = new LuaScript(`
for i = 3, #ARGV, 3 do
  if ARGV[i + 2] == '' then
    ${appendWebhookEntryLua('KEYS[1]', 'ARGV[i]', 'ARGV[i + 1]')}
  else
    redis.call('XADD', KEYS[1], '*', '${WEBHOOK_ENTRY_TS_FIELD}', ARGV[i],
      '${WEBHOOK_MARKER_ROOM_FIELD}', ARGV[i + 1], '${WEBHOOK_MARKER_UP_TO_FIELD}', ARGV[i + 2])
  end
end
local dropped = tonumber(ARGV[2])
local over = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[1])
if over > 0 then
  for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', over)) do
    if entry[2][3] == '${WEBHOOK_ENTRY_JSON_FIELD}' then dropped = dropped + 1 end
  end
  redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[1])
end
if dropped > 0 then redis.call('INCRBY', KEYS[2], dropped) end
return 0
`);

/**
 * Removes delivered events from a room's outbox, and says which of the markers they were read
 * through are done: no event up to the marker's `upTo` is left. An outbox left empty goes, so that
 * rooms that once had a message leave no key behind.
 *
 * KEYS: the outbox. ARGV: how many positions, the positions, then each marker's `upTo`.
 * Returns, for each marker, 1 when it is done, else 0.
 */
export const REMOVE_FROM_OUTBOX = new LuaScript(`
local count = tonumber(ARGV[1])
if count > 0 then redis.call('XDEL', KEYS[1], unpack(ARGV, 2, count + 1)) end
local done = {}
for i = count + 2, #ARGV do
  done[#done + 1] = (#redis.call('XRANGE', KEYS[1], '-', ARGV[i], 'COUNT', 1) == 0) and 1 or 0
end
if redis.call('XLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return done
`);
