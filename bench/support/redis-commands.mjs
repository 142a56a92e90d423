// What Redis did for a benchmark's messages: INFO commandstats between two snapshots, and which
// of those commands the Lua scripts called rather than the clients (a short MONITOR sample).
import { connect } from 'node:net';
import { sleep } from './processes.mjs';

/** Calls and time per command from INFO commandstats (`cmdstat_evalsha:calls=12,usec=...`). */
export async function commandStats(redisClient) {
  const stats = {};
  for (const line of (await redisClient.info('commandstats')).split('\r\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (match) stats[match[1]] = { calls: Number(match[2]), usec: Number(match[3]) };
  }
  return stats;
}

/**
 * Which commands the clients send and which the Lua scripts call: INFO commandstats counts both.
 * MONITOR shows a script's commands with the source `lua`; it slows Redis down, so it runs for a
 * short sample outside the measured window, with the load still on. Returns the calls seen by
 * command, `{ client, lua }` each.
 */
export async function monitorSample(port, ms) {
  const byCommand = {};
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  let buffered = '';
  socket.on('data', (chunk) => {
    const lines = (buffered + chunk).split('\r\n');
    buffered = lines.pop();
    for (const line of lines) {
      // +1700000000.123456 [0 127.0.0.1:41234] "evalsha" "..." or [0 lua] inside a script.
      const match = /^\+[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (!match) continue;
      const counts = (byCommand[match[2].toLowerCase()] ??= { client: 0, lua: 0 });
      if (match[1] === 'lua') counts.lua += 1;
      else counts.client += 1;
    }
  });
  socket.write('MONITOR\r\n');
  await sleep(ms);
  socket.destroy();
  return byCommand;
}

/**
 * Redis commands per sent message between two `commandStats` snapshots: in all, those the nodes
 * sent themselves (the rest their scripts called, by the share seen in `sample`), and by command.
 */
export function commandsPerSend(start, end, sends, sample) {
  const byCommand = {};
  let calls = 0;
  let clientCalls = 0;
  for (const [command, after] of Object.entries(end)) {
    // The snapshots' own INFO calls are not the application's.
    if (command === 'info') continue;
    const before = start[command] ?? { calls: 0, usec: 0 };
    const delta = after.calls - before.calls;
    if (delta === 0) continue;
    calls += delta;
    const seen = sample[command.split('|')[0]];
    // Not seen in the sample (a rare command): unknown, counted below as sent by the nodes.
    const fromLua = seen ? seen.lua / (seen.lua + seen.client) : undefined;
    byCommand[command] = {
      perSend: delta / sends,
      usecPerSend: (after.usec - before.usec) / sends,
      fromLua,
    };
    clientCalls += delta * (1 - (fromLua ?? 0));
  }
  return { perSend: calls / sends, clientPerSend: clientCalls / sends, byCommand };
}
