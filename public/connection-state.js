// The connection's state in words, in the page's role="status" line.
import { byId } from './dom.js';

const REASONS = {
  unauthorized: 'the credentials were refused',
  rate_limited: 'too many connections or events',
  token_expired: 'the token expired',
  kicked: 'removed by the server',
  replaced: 'too many tabs: this one was the oldest',
  closed: 'closed by you',
};

/** The text for a StateChange ({ state, attempt, recovered, reason, message }). */
export function describeState({ state, attempt, recovered, reason, message }, user) {
  const why = [reason, message ?? REASONS[reason]].filter(Boolean).join(': ');
  switch (state) {
    case 'connecting':
      return 'Connecting…';
    case 'connected': {
      const who = user ? ` as ${user.name}` : '';
      return recovered ? `Connected${who} (session recovered)` : `Connected${who}`;
    }
    case 'reconnecting':
      return attempt ? `Reconnecting (attempt ${attempt})…` : 'Reconnecting…';
    case 'refused':
      return `Refused: ${why || 'no reason given'}`;
    case 'disconnected':
      return reason === 'closed' ? 'Disconnected' : `Session ended: ${why || 'no reason given'}`;
    default:
      return state;
  }
}

export function showState(detail, user) {
  const status = byId('state');
  status.dataset.state = detail.state;
  if (detail.state === 'connected' && detail.recovered) status.dataset.state = 'recovered';
  status.textContent = describeState(detail, user);
}
