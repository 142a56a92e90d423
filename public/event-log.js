// The event log: every event in and out of this page's connection (the library's 'traffic'),
// newest last, bounded so that a busy room cannot grow the page without end.
import { appendKeepingEnd, byId, clockTime, element, preview } from './dom.js';

const LOG_LIMIT = 300;

export function logTraffic({ direction, event, payload }) {
  const log = byId('event-log');
  const arrow = { in: '←', out: '→' }[direction] ?? '•';
  appendKeepingEnd(
    log,
    element('li', { className: `traffic ${direction}` }, [
      element('time', { text: clockTime(Date.now()) }),
      element('span', {
        className: 'direction',
        text: arrow,
        attributes: { title: { in: 'received', out: 'sent' }[direction] ?? 'note' },
      }),
      element('code', { className: 'event', text: event }),
      element('span', { className: 'data', text: preview(payload, 200) }),
    ]),
  );
  while (log.children.length > LOG_LIMIT) log.firstElementChild.remove();
}

/** A line of the page's own (not an event): connecting, closing. */
export function logNote(text) {
  logTraffic({ direction: 'note', event: text, payload: undefined });
}

export function wireEventLog() {
  byId('clear-log').addEventListener('click', () => byId('event-log').replaceChildren());
}
