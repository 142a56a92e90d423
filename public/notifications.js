// Notifications as they arrive: a toast for a few seconds and an entry in the Notifications list.
// The library acknowledges each one after this handler returns, and drops repeats by id.
import { byId, clockTime, element, preview } from './dom.js';
import { userLabel } from './user-label.js';

const TOAST_MS = 8000;
const LIST_LIMIT = 100;

export function showNotification(notification) {
  const { title, body, from, ts, data } = notification;
  const list = byId('notification-list');
  const details = [element('p', { className: 'body', text: body })];
  if (data !== undefined) details.push(element('code', { className: 'data', text: preview(data) }));
  list.prepend(
    element('li', { className: 'notification', attributes: { 'data-id': notification.id } }, [
      element('strong', { text: title }),
      ' ',
      element('span', { className: 'meta' }, ['from ', userLabel(from), ` at ${clockTime(ts)}`]),
      ...details,
    ]),
  );
  while (list.children.length > LIST_LIMIT) list.lastElementChild.remove();
  toast(title, body, from);
}

function toast(title, body, from) {
  const dismiss = element('button', {
    className: 'dismiss',
    text: '×',
    attributes: { type: 'button', 'aria-label': 'Dismiss notification' },
  });
  const node = element('div', { className: 'toast' }, [
    element('strong', { text: title }),
    element('p', { text: body }),
    element('span', { className: 'meta' }, ['from ', userLabel(from)]),
    dismiss,
  ]);
  const remove = () => node.remove();
  dismiss.addEventListener('click', remove);
  setTimeout(remove, TOAST_MS);
  byId('toasts').append(node);
}

/** The "Send a notification" form: a target kind, its id or room, a title and a body. */
export function wireNotificationForm(getSwitchboard) {
  const form = byId('notify-form');
  const kind = byId('notify-kind');
  const target = byId('notify-target');
  const targetLabel = byId('notify-target-label');
  const result = byId('notify-result');

  const describeKind = () => {
    // Not "Target room": the console's Room field must be the only one whose label holds "Room".
    const labels = { userId: 'Target user id', room: 'Target' };
    target.hidden = kind.value === 'all';
    targetLabel.hidden = kind.value === 'all';
    targetLabel.textContent = labels[kind.value] ?? 'Target';
  };
  kind.addEventListener('change', describeKind);
  describeKind();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const sb = getSwitchboard();
    if (!sb) {
      result.textContent = 'Connect first.';
      return;
    }
    const chosen = kind.value === 'all' ? { all: true } : { [kind.value]: target.value.trim() };
    const payload = {
      target: chosen,
      title: byId('notify-title').value,
      body: byId('notify-body').value,
    };
    result.textContent = 'Sending…';
    try {
      const { id, recipients } = await sb.request('notification:send', payload);
      result.textContent = `Sent ${id} to ${recipients} socket${recipients === 1 ? '' : 's'}.`;
    } catch (error) {
      result.textContent = `Failed: ${error.code ?? 'ERROR'}: ${error.message}`;
    }
  });
}
