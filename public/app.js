// The console at GET /: a person's view of Switchboard through the client library. Plain ES
// modules from this origin, because the content security policy allows no inline script, no
// inline style and nothing from another origin.
import { Switchboard } from '/client/switchboard.js';
import { showState } from './connection-state.js';
import { byId, describeError, element, parsedJsonField } from './dom.js';
import { logNote, logTraffic, wireEventLog } from './event-log.js';
import { showNotification, wireNotificationForm } from './notifications.js';
import { RoomView } from './room-view.js';
import { wireRpcForm } from './rpc-form.js';
import { userLabel, userText } from './user-label.js';

/** After this long without a keystroke, the page tells the room that the user stopped typing. */
const TYPING_IDLE_MS = 3000;

let sb;
let unsubscribe = [];
/** room name → RoomView */
const views = new Map();
let current;

const me = () => sb?.user;

function connect(auth) {
  disconnect();
  sb = new Switchboard(location.origin, { auth });
  logNote(`connecting ${auth.token ? 'with a token' : `as guest ${auth.name ?? 'Anonymous'}`}`);
  unsubscribe = [
    sb.on('state', (_state, detail) => {
      showState(detail, sb.user);
      byId('disconnect').disabled = detail.state === 'disconnected' || detail.state === 'refused';
    }),
    sb.on('welcome', (welcome) => showIdentity(welcome.user)),
    sb.on('notification', (notification) => showNotification(notification)),
    sb.on('traffic', (traffic) => logTraffic(traffic)),
    sb.on('user-event', ({ event, from }) => logNote(`user event ${event} from ${userText(from)}`)),
  ];
  showState(sb.stateDetail ?? { state: sb.state }, sb.user);
  byId('disconnect').disabled = false;
}

function disconnect() {
  if (!sb) return;
  for (const view of views.values()) view.dispose();
  views.clear();
  byId('room-tabs').replaceChildren();
  select(undefined);
  const closing = sb;
  closing.close();
  // After close, so that the 'closed' state is shown before the listeners go.
  for (const stop of unsubscribe) stop();
  unsubscribe = [];
  sb = undefined;
  byId('identity').hidden = true;
  byId('disconnect').disabled = true;
}

function showIdentity(user) {
  const identity = byId('identity');
  identity.hidden = false;
  identity.replaceChildren('You are ', userLabel(user), ` (id ${user.id})`);
}

async function join(name) {
  const problem = byId('rooms-problem');
  problem.textContent = '';
  if (!sb) {
    problem.textContent = 'Connect first.';
    return;
  }
  if (views.has(name)) {
    select(name);
    return;
  }
  try {
    const room = await sb.join(name);
    if (views.has(name)) return select(name);
    const view = new RoomView(room, me, () => showTyping());
    views.set(name, view);
    byId('room-views').append(view.root);
    byId('room-tabs').append(tabFor(name));
    select(name);
  } catch (error) {
    problem.textContent = `Could not join ${name}: ${describeError(error)}`;
  }
}

function tabFor(name) {
  const button = element('button', {
    className: 'room-tab',
    text: name,
    attributes: { type: 'button', 'data-room': name },
  });
  button.addEventListener('click', () => select(name));
  return element('li', {}, [button]);
}

async function leave() {
  const view = views.get(current);
  if (!view) return;
  const name = current;
  try {
    await view.room.leave();
  } catch (error) {
    byId('rooms-problem').textContent = `Could not leave ${name}: ${describeError(error)}`;
    return;
  }
  view.dispose();
  views.delete(name);
  byId('room-tabs')
    .querySelector(`li:has(> [data-room="${CSS.escape(name)}"])`)
    ?.remove();
  select(views.keys().next().value);
  byId('room').focus();
}

function select(name) {
  current = name;
  for (const [room, view] of views) view.visible = room === name;
  for (const tab of byId('room-tabs').querySelectorAll('button')) {
    if (tab.dataset.room === name) tab.setAttribute('aria-current', 'true');
    else tab.removeAttribute('aria-current');
  }
  byId('chat-heading').textContent = name ?? 'No room yet';
  byId('leave').hidden = name === undefined;
  byId('room-controls').hidden = name === undefined;
  byId('chat-empty').hidden = name !== undefined;
  showTyping();
}

function showTyping() {
  byId('typing').replaceChildren(...(views.get(current)?.typingLine ?? []));
}

/** Tells the current room "typing" once per burst of keystrokes, and "stopped" after a pause. */
function typingNotifier() {
  let typingIn;
  let idle;
  const stop = () => {
    clearTimeout(idle);
    if (typingIn)
      void views
        .get(typingIn)
        ?.room.typing(false)
        .catch(() => {});
    typingIn = undefined;
  };
  const keystroke = () => {
    if (typingIn !== current) {
      stop();
      typingIn = current;
      void views
        .get(current)
        ?.room.typing(true)
        .catch(() => {});
    }
    clearTimeout(idle);
    idle = setTimeout(stop, TYPING_IDLE_MS);
  };
  return { keystroke, stop };
}

function wireForms() {
  const typing = typingNotifier();

  byId('connect-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = byId('token').value.trim();
    const name = byId('name').value.trim();
    connect(token ? { token } : name ? { name } : {});
  });
  byId('disconnect').addEventListener('click', () => {
    typing.stop();
    disconnect();
  });

  byId('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId('room');
    const name = input.value.trim();
    if (!name) return;
    input.value = '';
    void join(name);
  });
  byId('leave').addEventListener('click', () => void leave());

  const message = byId('message');
  message.addEventListener('input', () => (message.value ? typing.keystroke() : typing.stop()));
  byId('message-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = message.value.trim();
    const view = views.get(current);
    if (!text || !view) return;
    message.value = '';
    typing.stop();
    void view.send(text);
  });

  byId('emit-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = byId('emit-result');
    const view = views.get(current);
    if (!view) return;
    const name = byId('event-name').value.trim();
    const { data, problem } = parsedJsonField(byId('event-data').value);
    if (problem !== undefined) {
      result.textContent = problem;
      return;
    }
    try {
      const { recipients } = await view.room.emit(name, data);
      view.showOwnEvent(name, data, recipients);
      result.textContent = `Emitted to ${recipients} socket${recipients === 1 ? '' : 's'}.`;
    } catch (error) {
      result.textContent = `Failed: ${describeError(error)}`;
    }
  });
}

wireForms();
wireEventLog();
wireNotificationForm(() => sb);
wireRpcForm(() => sb);
