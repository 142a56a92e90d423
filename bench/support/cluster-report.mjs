// What `cluster.mjs` prints: its setup, a line per round, a table per node count and the
// comparison of the node counts (CPU per delivered message over the first count's).
import { loadavg } from 'node:os';
import { fixed, integer, median, printTable } from './tables.mjs';

/** A machine this busy had processes waiting for a core. */
const SATURATED_SHARE = 0.95;

const loads = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** The first line: what is measured, how, and the machine's load before it starts. */
export function printSetup(setup, options) {
  const what =
    setup.shape === 'dm'
      ? `${setup.sizes.rooms} two-member rooms, both members on one node`
      : `${setup.sizes.clients} clients in one room`;
  const load = setup.rate ? `${setup.rate} chat:send/s in all (open loop)` : 'closed loops';
  const stores = options.memory ? 'memory stores' : 'one Redis';
  console.log(
    `node ${process.version}; ${options.main}; ${setup.shape}: ${what}; ${load}; ` +
      `${setup.nodeCounts.join(', ')} node(s) over ${stores}; ${setup.rounds} round(s) of ` +
      `${setup.warmupMs / 1000} s warm-up + ${setup.durationMs / 1000} s measured; ` +
      `load average ${loads()}`,
  );
}

function exactlyOnce({ exactlyOnce, missing, duplicates, unexpected }) {
  if (exactlyOnce) return 'yes';
  return `NO (missing ${missing}, duplicates ${duplicates}, unexpected ${unexpected})`;
}

/** One line per round, and the warnings that make its figures doubtful. */
export function printRound(round, nodeCount, result, setup) {
  const redisPart = result.redisCommands
    ? `, ${result.redisCommands.perSend.toFixed(2)} Redis cmds/send`
    : '';
  console.log(
    `round ${round}, ${nodeCount} node(s): offered ${integer(result.offeredPerSec)}/s, ` +
      `achieved ${integer(result.sendsPerSec)} sends/s, ` +
      `${integer(result.deliveriesPerSec)} deliveries/s, ` +
      `${result.serverUsPerDelivery.toFixed(1)} µs CPU/delivery (nodes ` +
      `${result.nodesUsPerDelivery.toFixed(1)}, redis ${result.redisUsPerDelivery.toFixed(1)})` +
      `${redisPart}; exactly once: ${exactlyOnce(result.delivery)}; machine busy ` +
      `${result.machineBusyCores.toFixed(2)} of ${result.machineCores.toFixed(1)} cores; ` +
      `load average ${loads()}`,
  );
  if (!result.keptUp) {
    console.log(
      `  NOT AT THE OFFERED RATE: ${integer(result.sendsPerSec)} sends/s achieved of ` +
        `${integer(setup.rate)} offered, ${result.skipped} skipped (a second's backlog ` +
        `unanswered), ${integer(result.deliveriesPerSec)} deliveries/s of ` +
        `${integer(result.expectedPerSec)} due: the cluster fell behind (more than offered: it ` +
        `caught up a backlog), so these are figures of an overloaded cluster; left out of the ` +
        `comparison's medians`,
    );
  }
  if (result.machineBusyCores >= SATURATED_SHARE * result.machineCores) {
    console.log(
      `  the machine was saturated (${result.machineBusyCores.toFixed(2)} of ` +
        `${result.machineCores.toFixed(1)} cores busy): processes waited for a core, and ` +
        `a process that wakes less often handles more per wake-up (CPU per message drops)`,
    );
  }
  if (result.otherCores >= 0.1) {
    const busiest = result.otherBusiest.map((p) => `${p.command} (${p.cores.toFixed(2)})`);
    console.log(
      `  other processes took ${result.otherCores.toFixed(2)} cores of the machine` +
        (busiest.length > 0 ? `; the busiest: ${busiest.join('; ')}` : ''),
    );
  }
}

/** A row of median, spread and every round of one figure. */
function metric(label, values, format) {
  return [
    label,
    format(median(values)),
    `${format(Math.min(...values))}–${format(Math.max(...values))}`,
    values.map(format).join(' '),
  ];
}

function printNodeCount(nodeCount, results, options) {
  const pick = (key) => results.map((result) => result[key]);
  const perNode = (key, label) =>
    Array.from({ length: nodeCount }, (_, i) =>
      metric(
        `node ${i + 1} ${label}`,
        pick(key).map((values) => values[i]),
        fixed(2),
      ),
    );
  const redis = !options.memory;
  const rows = [
    metric('chat:send offered/s', pick('offeredPerSec'), integer),
    metric('chat:send achieved (acked)/s', pick('sendsPerSec'), integer),
    metric('chat:message received/s', pick('deliveriesPerSec'), integer),
    metric('deliveries per send', pick('deliveriesPerSend'), fixed(2)),
    metric('latency p50 (ms)', pick('p50Ms'), fixed(2)),
    metric('latency p99 (ms)', pick('p99Ms'), fixed(2)),
    ...perNode('nodeUsPerDelivery', 'CPU µs per delivery'),
    ...(redis ? [metric('redis CPU µs per delivery', pick('redisUsPerDelivery'), fixed(2))] : []),
    metric('nodes + redis CPU µs per delivery', pick('serverUsPerDelivery'), fixed(2)),
    metric('load generator CPU µs per delivery', pick('loadUsPerDelivery'), fixed(2)),
    ...perNode('nodeCores', 'CPU busy (cores)'),
    ...(redis ? [metric('redis CPU busy (cores)', pick('redisCores'), fixed(2))] : []),
    metric('load generator CPU busy (cores)', pick('loadCores'), fixed(2)),
    metric('machine busy (cores)', pick('machineBusyCores'), fixed(2)),
    metric('… of which other processes (cores)', pick('otherCores'), fixed(2)),
    metric('load average (1 min)', pick('loadAverage'), fixed(2)),
  ];
  if (redis) {
    const commands = results.map((result) => result.redisCommands);
    rows.push(
      metric(
        'Redis commands per chat:send',
        commands.map((c) => c.perSend),
        fixed(2),
      ),
      metric(
        '… of which sent by the nodes',
        commands.map((c) => c.clientPerSend),
        fixed(2),
      ),
    );
  }
  console.log(`\n${nodeCount} node(s), medians of ${results.length} round(s):\n`);
  printTable(['metric', 'median', 'spread', 'rounds'], rows);
  if (redis) printCommands(results);
}

function printCommands(results) {
  const byCommand = results.map((result) => result.redisCommands.byCommand);
  const names = new Set(byCommand.flatMap((commands) => Object.keys(commands)));
  const rows = [...names]
    .map((name) => {
      const calls = byCommand.map((commands) => commands[name]?.perSend ?? 0);
      const usec = byCommand.map((commands) => commands[name]?.usecPerSend ?? 0);
      const fromLua = byCommand
        .map((commands) => commands[name]?.fromLua)
        .filter((share) => share !== undefined);
      return { name, calls, usec, fromLua: fromLua.length ? median(fromLua) : NaN };
    })
    .sort((a, b) => median(b.calls) - median(a.calls))
    .map(({ name, calls, usec, fromLua }) => [
      name,
      median(calls).toFixed(3),
      calls.map(fixed(3)).join(' '),
      median(usec).toFixed(2),
      Number.isNaN(fromLua) ? '?' : `${Math.round(fromLua * 100)}%`,
    ]);
  console.log(
    'Redis INFO commandstats over the window, per chat:send. Commands that Lua scripts call are\n' +
      'counted too (their time is also inside the script’s); "from Lua" is their share in a 1 s\n' +
      'MONITOR sample taken after the window (?: not seen in it, counted as sent by the nodes):\n',
  );
  printTable(['command', 'calls per send', 'rounds', 'µs per send (median)', 'from Lua'], rows);
}

/**
 * A table per node count, then one row per node count with CPU per delivery over the first
 * count's: of the medians, and round by round (the rounds ran side by side, so each pair shared
 * the machine's state of that moment).
 */
export function printComparison(setup, results, options) {
  for (const [nodeCount, rounds] of results) printNodeCount(nodeCount, rounds, options);
  // Rounds that fell behind measured another load: left out when any round of the count did not.
  const counted = (rounds) => {
    const keptUp = rounds.filter((result) => result.keptUp);
    return keptUp.length > 0 ? keptUp : rounds;
  };
  const [first, firstRounds] = [...results][0];
  const cpu = (rounds) => rounds.map((result) => result.serverUsPerDelivery);
  const rows = [...results].map(([nodeCount, rounds]) => {
    const used = counted(rounds);
    const pick = (key) => median(used.map((result) => result[key]));
    const paired = rounds.map((result, i) => {
      const ratio = (result.serverUsPerDelivery / firstRounds[i].serverUsPerDelivery).toFixed(2);
      return result.keptUp && firstRounds[i].keptUp ? ratio : `${ratio}*`;
    });
    return [
      String(nodeCount),
      integer(pick('offeredPerSec')),
      integer(pick('sendsPerSec')),
      integer(pick('deliveriesPerSec')),
      `${rounds.filter((result) => result.keptUp).length} of ${rounds.length}`,
      rounds.every((result) => result.delivery.exactlyOnce) ? 'yes' : 'NO',
      pick('serverUsPerDelivery').toFixed(1),
      pick('nodesUsPerDelivery').toFixed(1),
      pick('redisUsPerDelivery').toFixed(1),
      used[0].nodeUsPerDelivery
        .map((_, i) => median(used.map((result) => result.nodeUsPerDelivery[i])).toFixed(1))
        .join(' '),
      used[0].redisCommands
        ? median(used.map((result) => result.redisCommands.perSend)).toFixed(2)
        : '—',
      `${pick('machineBusyCores').toFixed(2)} (${pick('otherCores').toFixed(2)})`,
      `${(median(cpu(used)) / median(cpu(counted(firstRounds)))).toFixed(2)}× (${paired.join(' ')})`,
    ];
  });
  const what =
    setup.shape === 'dm'
      ? `${setup.sizes.rooms} dm rooms`
      : `${setup.sizes.clients} clients in one room`;
  console.log(
    `${what}, ${setup.rate ? `${setup.rate}/s offered` : 'closed loops'}; medians of the ` +
      `rounds that kept up (of all, where none did); CPU in µs per delivered chat:message; ` +
      `ratio to ${first} node(s), round by round in brackets (*: a round of the pair did not ` +
      `keep up):\n`,
  );
  printTable(
    [
      'nodes',
      'offered/s',
      'achieved/s',
      'deliveries/s',
      'rounds kept up',
      'exactly once',
      'nodes + redis',
      'nodes',
      'redis',
      'each node',
      'Redis cmds/send',
      'machine busy (others)',
      `ratio to ${first} (rounds)`,
    ],
    rows,
  );
}
