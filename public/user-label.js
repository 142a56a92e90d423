// Who a name belongs to. A name proves nothing: any guest may call itself "System" or "alice". So
// every name shown carries its user's id (on hover, and beside it in the Members list), and a mark
// for the two kinds of id that no name can claim: guests', and the server's own.
import { element } from './dom.js';

/** Guests' ids start with it (the contract reserves the prefix for them). */
const GUEST_ID_PREFIX = 'guest:';
/** The server API's sender: the only user shown as the server. */
const SYSTEM_ID = 'system';

/** 'guest', 'server' or undefined (a user that a token or the application's backend vouches for). */
export function markOf(user) {
  if (user.id === SYSTEM_ID) return 'server';
  if (user.id.startsWith(GUEST_ID_PREFIX)) return 'guest';
  return undefined;
}

/**
 * `alice guest`: the user's name, its mark, and its id as the title (a tooltip on hover).
 * `suffix` follows the name inside the label, such as ' (you)'.
 */
export function userLabel(user, suffix = '') {
  if (!user) return element('span', { className: 'user', text: '?' });
  const mark = markOf(user);
  const children = [element('span', { className: 'name', text: user.name })];
  if (mark) children.push(' ', element('span', { className: `mark ${mark}`, text: mark }));
  if (suffix) children.push(suffix);
  return element(
    'span',
    { className: mark ? `user ${mark}` : 'user', attributes: { title: user.id } },
    children,
  );
}

/** The user in plain text, for a line of the event log: `alice (guest:1b2c…)`. */
export function userText(user) {
  return `${user.name} (${user.id})`;
}
