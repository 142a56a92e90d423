// What the soak asserts about messages once the faults are over, each violation written with what
// is needed to look into it: the room, the offsets, the ids, the times, the tab and its nodes.
import { describeConnections } from './descriptions.mjs';
import { Timeline } from './timeline.mjs';

/** Offsets 1..N without a gap or a repeat; one message per id and per (user, clientMsgId). */
export function checkHistory(room, messages, findings) {
  const problems = [];
  messages.forEach((message, index) => {
    if (message.offset !== index + 1)
      problems.push(`position ${index + 1} holds offset ${message.offset}`);
  });
  if (problems.length > 0) {
    findings.add(
      'history',
      `${room}: offsets are not 1..${messages.length}: ${problems.slice(0, 10).join('; ')}`,
    );
  }
  for (const [key, offsets] of groupOffsets(messages, (message) => message.id)) {
    if (offsets.length > 1)
      findings.add('history', `${room}: id ${key} stored at offsets ${offsets.join(', ')}`);
  }
  const sent = messages.filter((message) => message.clientMsgId !== undefined);
  for (const [key, offsets] of groupOffsets(
    sent,
    (message) => `${message.user.id} ${message.clientMsgId}`,
  )) {
    if (offsets.length > 1)
      findings.add(
        'history',
        `${room}: clientMsgId ${key} stored at offsets ${offsets.join(', ')}`,
      );
  }
}

function groupOffsets(messages, keyOf) {
  const groups = new Map();
  for (const message of messages) {
    const key = keyOf(message);
    groups.set(key, [...(groups.get(key) ?? []), message.offset]);
  }
  return groups;
}

/** Every send answered ok is in the history once, at the offset and with the id of its reply. */
export function checkAcknowledged(tabs, histories, findings) {
  for (const tab of tabs) {
    for (const send of tab.sends.filter((candidate) => candidate.message)) {
      const history = histories.get(send.room);
      const stored = history.filter(
        (message) => message.user.id === tab.userId && message.clientMsgId === send.clientMsgId,
      );
      const { offset, id } = send.message;
      const where = `${tab.name}'s "${send.text}" (clientMsgId ${send.clientMsgId}), acknowledged at ${Timeline.stamp(send.ackedMs)} as ${send.room} offset ${offset} id ${id}`;
      if (stored.length === 0) findings.add('acknowledged', `${where}: not in the history`);
      else if (stored.length > 1)
        findings.add(
          'acknowledged',
          `${where}: stored ${stored.length} times, at offsets ${stored.map((message) => message.offset).join(', ')}`,
        );
      else if (stored[0].offset !== offset || stored[0].id !== id) {
        findings.add(
          'acknowledged',
          `${where}: stored as offset ${stored[0].offset} id ${stored[0].id}`,
        );
      }
    }
  }
}

/**
 * The library's promise: from the join on, every stored message once, in offset order, without a
 * gap. So a tab's `message` events in a room are exactly the history after the room's newest
 * offset at the join (`startOffset`), up to the end.
 */
export function checkViews(tabs, histories, findings) {
  for (const tab of tabs) {
    for (const [room, view] of tab.views) {
      const expected = histories.get(room).slice(view.startOffset);
      const got = view.delivered;
      const where = `${tab.name} in ${room} (joined at offset ${view.startOffset})`;
      if (view.resets.length > 0) {
        findings.add(
          'view',
          `${where}: the library reset the room at ${view.resets.map(Timeline.stamp).join(', ')}`,
        );
      }
      const index = firstDifference(expected, got);
      if (index === undefined) continue;
      const refusals = tab.libraryErrors.filter((error) => error.message.includes(room));
      for (const error of refusals) {
        findings.add(
          'view',
          `${where}: the library could not join again at ${Timeline.stamp(error.atMs)}: ${error.code} ${error.message}`,
        );
      }
      const wanted = expected[index];
      const came = got[index];
      if (!came) {
        findings.add(
          'view',
          `${where}: got offsets up to ${got.at(-1)?.offset ?? view.startOffset}, the history goes to ${expected.at(-1).offset} (missing ${wanted.offset}..${expected.at(-1).offset})`,
        );
      } else if (!wanted) {
        findings.add(
          'view',
          `${where}: got ${got.length - expected.length} more than the history, from offset ${came.offset} id ${came.id}`,
        );
      } else {
        findings.add(
          'view',
          `${where}: message ${index + 1} is offset ${came.offset} id ${came.id}, the history has offset ${wanted.offset} id ${wanted.id}`,
        );
      }
    }
  }
}

function firstDifference(expected, got) {
  const length = Math.max(expected.length, got.length);
  for (let index = 0; index < length; index++) {
    if (expected[index]?.id !== got[index]?.id || expected[index]?.offset !== got[index]?.offset)
      return index;
  }
  return undefined;
}

/**
 * Sends that got an answer other than "not now", or none at all: one violation per tab, room and
 * answer, since a tab whose room is broken has every later send refused the same way.
 */
export function checkSends(tabs, findings) {
  for (const tab of tabs) {
    const groups = new Map();
    for (const send of tab.sends.filter((candidate) => !candidate.message)) {
      const key = `${send.room} ${send.failure ?? 'no answer'}`;
      groups.set(key, [...(groups.get(key) ?? []), send]);
    }
    for (const sends of groups.values()) {
      const [first] = sends;
      const last = sends.at(-1);
      const answer = first.failure
        ? `refused ${first.failure} (${first.refusals.at(-1).message}) from ${Timeline.stamp(first.failedMs)} to ${Timeline.stamp(last.failedMs)}`
        : 'not answered by the end';
      findings.add(
        'send',
        `${tab.name}: ${sends.length} sends to ${first.room} ${answer}; the first "${first.text}" (clientMsgId ${first.clientMsgId}) was sent at ${Timeline.stamp(first.startedMs)}\n` +
          `  ${tab.name}: ${describeConnections(tab)}`,
      );
    }
  }
}
