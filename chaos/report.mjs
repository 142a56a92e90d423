// The figures of a run, printed whether it passed or not.
import { deliveriesOf } from './checks.mjs';

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** The longest of `items` by `measure` (undefined for none), with the item. */
function longest(items, measure) {
  let best;
  for (const item of items) {
    const value = measure(item);
    if (value !== undefined && (best === undefined || value > best.value)) best = { value, item };
  }
  return best;
}

function tally(values) {
  const counts = new Map();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${value} ${count}`).join(', ') || 'none';
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
  const sends = tabs.flatMap((tab) => tab.sends.map((send) => ({ tab, send })));
  const acknowledged = sends.filter(({ send }) => send.message);
  const stored = [...histories.values()].reduce((sum, messages) => sum + messages.length, 0);
  const deliveries = deliveriesOf(notifier, tabs);
  const delivered = deliveries.filter((delivery) => delivery.deliveredMs !== undefined);
  const unconfirmed = notifier.sent.filter((entry) => entry.id === undefined);
  const repeats = { push: 0, rejoin: 0, history: 0, 'send reply': 0 };
  for (const tab of tabs)
    for (const source of Object.keys(repeats)) repeats[source] += tab.repeats[source];
  const messageRepeats = Object.values(repeats).reduce((sum, count) => sum + count, 0);
  const notificationRepeats = tabs
    .flatMap((tab) => [...tab.notificationCopies.values()])
    .reduce((sum, copies) => sum + copies - 1, 0);
  const sendWait = longest(acknowledged, ({ send }) => send.ackedMs - send.startedMs);
  const notificationWait = longest(delivered, ({ entry, deliveredMs }) =>
    Math.max(0, deliveredMs - entry.acceptedMs),
  );
  const afterFaults = longest(delivered, ({ deliveredMs }) => deliveredMs - faultsEndedMs);
  const connections = tabs.reduce(
    (sum, tab) => sum + tab.connections.filter((connection) => connection.node).length,
    0,
  );

  const startTimes = nodes.flatMap((node) => node.startTimes);

  const lines = [
    `seed                     ${seed} (${options.duration} s of faults, ${options.users} users in ${tabs.length} tabs, ${options.rooms} rooms)`,
    `faults                   ${tally([...faults.counts].flatMap(([kind, count]) => Array(count).fill(kind)))}`,
    `sends                    ${sends.length} made, ${acknowledged.length} acknowledged; refusals retried: ${tally(sends.flatMap(({ send }) => send.refusals.map((refusal) => refusal.code)))}`,
    `messages stored          ${stored} (${[...histories].map(([room, messages]) => `${room} ${messages.length}`).join(', ')})`,
    `notifications            ${notifier.sent.length} sent, ${notifier.accepted.length} accepted (202), ${delivered.length} of those delivered, ${unconfirmed.length} never accepted`,
    `notification requests    ${tally(notifier.sent.flatMap((entry) => entry.attempts.map((attempt) => attempt.status)))}`,
    `repeats dropped          messages ${messageRepeats} (${tally(Object.entries(repeats).flatMap(([source, count]) => Array(count).fill(source)))}), notifications ${notificationRepeats}`,
    `connections              ${connections} through the proxies (${connections - tabs.length} reconnections)`,
    `node starts              ${startTimes.length}, the longest ${seconds(Math.max(...startTimes))} until /health answered`,
    `longest wait for an ack  ${sendWait ? `${seconds(sendWait.value)} (${sendWait.item.tab.name}'s "${sendWait.item.send.text}")` : '-'}`,
    `longest notification     ${notificationWait ? `${seconds(notificationWait.value)} from 202 to a tab (notification ${notificationWait.item.entry.sequence})` : '-'}`,
    `last notification after the faults  ${afterFaults ? seconds(Math.max(0, afterFaults.value)) : '-'}`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
