// The figures of a run, printed whether it passed or not.
import { deliveriesOf } from './notification-checks.mjs';

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const sum = (numbers) => numbers.reduce((total, number) => total + number, 0);

/** The longest of `items` by `measure` (undefined for none), with the item. */
function longest(items, measure) {
  let best;
  for (const item of items) {
    const value = measure(item);
    if (value !== undefined && (best === undefined || value > best.value)) best = { value, item };
  }
  return best;
}

/** `INTERNAL 12, FORBIDDEN 3` */
function tally(values) {
  const counts = new Map();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${value} ${count}`).join(', ') || 'none';
}

function sendFigures(tabs, histories) {
  const sends = tabs.flatMap((tab) => tab.sends.map((send) => ({ tab, send })));
  const acknowledged = sends.filter(({ send }) => send.message);
  const refusals = tally(sends.flatMap(({ send }) => send.refusals.map(({ code }) => code)));
  const perRoom = [...histories].map(([room, messages]) => `${room} ${messages.length}`);
  const stored = sum([...histories.values()].map((messages) => messages.length));
  const wait = longest(acknowledged, ({ send }) => send.ackedMs - send.startedMs);
  return [
    [
      'sends',
      `${sends.length} made, ${acknowledged.length} acknowledged; refusals retried: ${refusals}`,
    ],
    ['messages stored', `${stored} (${perRoom.join(', ')})`],
    [
      'longest wait for an ack',
      wait ? `${seconds(wait.value)} (${wait.item.tab.name}'s "${wait.item.send.text}")` : '-',
    ],
  ];
}

function notificationFigures(notifier, tabs, faultsEndedMs) {
  const delivered = deliveriesOf(notifier, tabs).filter(
    ({ deliveredMs }) => deliveredMs !== undefined,
  );
  const unaccepted = notifier.sent.length - notifier.accepted.length;
  const answers = tally(
    notifier.sent.flatMap((entry) => entry.attempts.map(({ status }) => status)),
  );
  const wait = longest(delivered, ({ entry, deliveredMs }) =>
    Math.max(0, deliveredMs - entry.acceptedMs),
  );
  const last = longest(delivered, ({ deliveredMs }) => Math.max(0, deliveredMs - faultsEndedMs));
  return [
    [
      'notifications',
      `${notifier.sent.length} sent, ${notifier.accepted.length} accepted (202), ${delivered.length} of those delivered, ${unaccepted} never accepted`,
    ],
    ['notification requests', answers],
    [
      'longest notification',
      wait
        ? `${seconds(wait.value)} from 202 to a tab (notification ${wait.item.entry.sequence})`
        : '-',
    ],
    ['last notification after the faults', last ? seconds(last.value) : '-'],
  ];
}

function repeatFigures(tabs) {
  const bySource = Object.keys(tabs[0].repeats).map((source) => [
    source,
    sum(tabs.map((tab) => tab.repeats[source])),
  ]);
  const notifications = sum(
    tabs.flatMap((tab) => [...tab.notificationCopies.values()].map((copies) => copies - 1)),
  );
  const messages = `${sum(bySource.map(([, count]) => count))} (${bySource.map(([source, count]) => `${source} ${count}`).join(', ')})`;
  return [['repeats dropped', `messages ${messages}, notifications ${notifications}`]];
}

function systemFigures(tabs, faults, nodes) {
  const kinds = tally([...faults.counts].flatMap(([kind, count]) => Array(count).fill(kind)));
  const connections = sum(tabs.map((tab) => tab.connections.filter(({ node }) => node).length));
  const starts = nodes.flatMap((node) => node.served);
  const slowest = longest(starts, ({ fromMs, toMs }) => toMs - fromMs);
  const redisAway = ({ fromMs, toMs }) =>
    faults.redisOutages.some(
      (outage) => outage.fromMs < toMs && (outage.toMs ?? Infinity) > fromMs,
    );
  const away = redisAway(slowest.item) ? ' (Redis was away during it)' : '';
  return [
    ['faults', kinds],
    [
      'connections',
      `${connections} through the proxies (${connections - tabs.length} reconnections)`,
    ],
    [
      'node starts',
      `${starts.length}, the longest ${seconds(slowest.value)} until /health answered${away}`,
    ],
  ];
}

export function printFigures({
  seed,
  options,
  tabs,
  notifier,
  faults,
  nodes,
  histories,
  faultsEndedMs,
}) {
  const figures = [
    [
      'seed',
      `${seed} (${options.duration} s of faults, ${options.users} users in ${tabs.length} tabs, ${options.rooms} rooms)`,
    ],
    ...systemFigures(tabs, faults, nodes),
    ...sendFigures(tabs, histories),
    ...notificationFigures(notifier, tabs, faultsEndedMs),
    ...repeatFigures(tabs),
  ];
  const width = Math.max(...figures.map(([label]) => label.length)) + 2;
  const lines = figures.map(([label, value]) => `${label.padEnd(width)}${value}`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
