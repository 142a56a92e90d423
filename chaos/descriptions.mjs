// What a violation says about its context: where a tab was connected and when, what a
// notification's requests got, which faults happened around it.
import { Timeline } from './timeline.mjs';

/** The latest connection events of a tab shown in a violation: the ones near the end tell the most. */
const CONNECTION_EVENTS_SHOWN = 24;
/** The faults shown with a lost notification: those around the time it was accepted. */
export const FAULTS_WINDOW_MS = 15_000;

/** `routed to node-2 t=3.1s, connected t=3.2s, reconnecting t=9.0s, ...` */
export function describeConnections(tab) {
  const events = [
    ...tab.connections.map(({ atMs, node }) => ({ atMs, text: `routed to ${node ?? 'no node'}` })),
    ...tab.states.map(({ atMs, state, reason }) => ({
      atMs,
      text: reason ? `${state} (${reason})` : state,
    })),
  ].sort((a, b) => a.atMs - b.atMs);
  const shown = events.slice(-CONNECTION_EVENTS_SHOWN);
  const earlier = events.length - shown.length;
  return (
    (earlier > 0 ? `(${earlier} earlier) ` : '') +
    shown.map(({ atMs, text }) => `${text} ${Timeline.stamp(atMs)}`).join(', ')
  );
}

/** `202 from node-2 (sent at t=34.6s, answered at t=34.8s)`, for each request of a notification. */
export function describeAttempts(entry) {
  return entry.attempts
    .map(({ sentMs, atMs, node, status }) => {
      const times = `sent at ${Timeline.stamp(sentMs)}, answered at ${Timeline.stamp(atMs)}`;
      return `${status} from ${node} (${times})`;
    })
    .join(', ');
}

/** `node-2 SIGTERM at t=34.6s, ...` within FAULTS_WINDOW_MS of `atMs`. */
export function describeFaultsNear(faults, atMs) {
  const near = faults.filter((fault) => Math.abs(fault.atMs - atMs) <= FAULTS_WINDOW_MS);
  if (near.length === 0) return 'none';
  return near.map((fault) => `${fault.text} at ${Timeline.stamp(fault.atMs)}`).join(', ');
}

/** `t=17.4s..t=28.7s, ...` */
export function describeOutages(outages) {
  if (outages.length === 0) return 'none';
  const stamp = (ms) => (ms === undefined ? '?' : Timeline.stamp(ms));
  return outages.map(({ fromMs, toMs }) => `${stamp(fromMs)}..${stamp(toMs)}`).join(', ');
}
