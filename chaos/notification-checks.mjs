// What the soak asserts about notifications: each accepted one reaches its user, and only its
// user, once.
import {
  FAULTS_WINDOW_MS,
  describeAttempts,
  describeConnections,
  describeFaultsNear,
  describeOutages,
} from './descriptions.mjs';
import { Timeline } from './timeline.mjs';

/** When each accepted notification first reached a tab of its user (undefined: never). */
export function deliveriesOf(notifier, tabs) {
  return notifier.accepted.map((entry) => {
    const times = tabs
      .filter((tab) => tab.userId === entry.userId && tab.notifications.has(entry.id))
      .map((tab) => tab.notifications.get(entry.id).atMs);
    return { entry, deliveredMs: times.length > 0 ? Math.min(...times) : undefined };
  });
}

/**
 * Every notification accepted with 202 reaches a tab of its user within `boundMs` of the faults'
 * end (`context`: `{ notifier, tabs, faultsEndedMs, boundMs, redisOutages, faultsCarriedOut }`).
 */
export function checkDelivered(context, findings) {
  const { notifier, tabs, faultsEndedMs, boundMs } = context;
  for (const { entry, deliveredMs } of deliveriesOf(notifier, tabs)) {
    if (deliveredMs !== undefined && deliveredMs <= faultsEndedMs + boundMs) continue;
    const what =
      deliveredMs === undefined
        ? `not delivered by ${Timeline.stamp(faultsEndedMs + boundMs)}`
        : `delivered only at ${Timeline.stamp(deliveredMs)}`;
    const accepted = `accepted at ${Timeline.stamp(entry.acceptedMs)} by ${entry.node} with recipients ${entry.recipients}`;
    findings.add(
      'notification',
      `${entry.id} (notification ${entry.sequence}) to ${entry.userId}, ${accepted}: ${what} ` +
        `(faults ended at ${Timeline.stamp(faultsEndedMs)}).\n${contextOf(entry, context)}`,
    );
  }
}

function contextOf(entry, { tabs, redisOutages, faultsCarriedOut }) {
  const userTabs = tabs.filter((tab) => tab.userId === entry.userId);
  const offers = userTabs.map(
    (tab) => `${tab.name} ${tab.notificationCopies.get(entry.id) ?? 0} times`,
  );
  const faults = describeFaultsNear(faultsCarriedOut, entry.acceptedMs);
  return [
    `  its requests: ${describeAttempts(entry)}`,
    `  offered to the user's sockets: ${offers.join(', ')}`,
    `  Redis outages: ${describeOutages(redisOutages)}`,
    `  faults within ${FAULTS_WINDOW_MS / 1000} s of its acceptance: ${faults}`,
    ...userTabs.map((tab) => `  ${tab.name}: ${describeConnections(tab)}`),
  ].join('\n');
}

/**
 * No tab gets another user's notification, and one notification (every request of it carries
 * the same idempotencyKey) reaches its user under one id.
 */
export function checkRecipients(notifier, tabs, findings) {
  const idsBySequence = new Map();
  for (const tab of tabs) {
    for (const { notification } of tab.notifications.values()) {
      const entry = notifier.sent[notification.data?.sequence - 1];
      if (!entry) continue;
      if (entry.userId !== tab.userId) {
        findings.add(
          'notification',
          `${notification.id} (notification ${entry.sequence}) for ${entry.userId} reached ${tab.name}`,
        );
      }
      idsBySequence.set(entry, new Set([...(idsBySequence.get(entry) ?? []), notification.id]));
    }
  }
  for (const [entry, ids] of idsBySequence) {
    if (ids.size < 2) continue;
    findings.add(
      'notification',
      `notification ${entry.sequence} to ${entry.userId} (one idempotencyKey) reached the user as ` +
        `${ids.size} notifications: ${[...ids].join(', ')}; its requests: ${describeAttempts(entry)}`,
    );
  }
}
