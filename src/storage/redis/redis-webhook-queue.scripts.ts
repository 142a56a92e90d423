import { LuaScript } from './lua-script.js';

/** The fields of a webhook stream entry: the event's time (ms) and its JSON. */
export const WEBHOOK_ENTRY_TS_FIELD = 't';
export const WEBHOOK_ENTRY_JSON_FIELD = 'e';

/**
 * Lua that appends one event to a partition's stream. Every script that queues webhook events
 * (the queue's own append, and the history's, which queues `message.created` in the step that
 * gives the message its offset) writes entries with this, so that they all read the same.
 * The arguments are Lua expressions.
 */
export function appendWebhookEntryLua(stream: string, ts: string, json: string): string {
  return (
    `redis.call('XADD', ${stream}, '*', '${WEBHOOK_ENTRY_TS_FIELD}', ${ts}, ` +
    `'${WEBHOOK_ENTRY_JSON_FIELD}', ${json})`
  );
}

/**
 * Lua that trims a partition's stream to its bound, counting what it trims in the partition's
 * dropped counter: run in the same script as the append, so that the stream never holds more than
 * its bound and every event dropped is counted. The arguments are Lua expressions.
 */
export function boundWebhookStreamLua(stream: string, dropped: string, bound: string): string {
  return `do
  local over = redis.call('XLEN', ${stream}) - tonumber(${bound})
  if over > 0 then
    redis.call('XTRIM', ${stream}, 'MAXLEN', ${bound})
    redis.call('INCRBY', ${dropped}, over)
  end
end`;
}

/**
 * KEYS: the partition's stream, its dropped counter. ARGV: the partition's bound, then `ts`, `json`
 * of each entry.
 */
export const APPEND_WEBHOOK_ENTRIES = new LuaScript(`
for i = 2, #ARGV, 2 do
  ${appendWebhookEntryLua('KEYS[1]', 'ARGV[i]', 'ARGV[i + 1]')}
end
${boundWebhookStreamLua('KEYS[1]', 'KEYS[2]', 'ARGV[1]')}
return 0
`);
