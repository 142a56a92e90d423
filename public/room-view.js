// One joined room's view: its messages (with each own send's state), members, typing indicator,
// custom events and the "Load earlier messages" button. Only the current room's view is shown.
import { appendKeepingEnd, clockTime, describeError, element, preview } from './dom.js';
import { userLabel } from './user-label.js';

/** A typing indicator that is not renewed within this time is stale (a `false` may be lost: it is volatile). */
const TYPING_STALE_MS = 6000;
const HISTORY_PAGE = 50;

export class RoomView {
  /**
   * @param room the library's Room
   * @param me () => the connected User, read when needed (it changes on reconnection as a guest)
   * @param onTypingChange () => void, called when this room's typing line changes
   */
  constructor(room, me, onTypingChange) {
    this.room = room;
    this.me = me;
    this.onTypingChange = onTypingChange;
    this.typingUsers = new Map(); // user id → { user, timer }
    /** The oldest offset shown since the last reset: where "Load earlier" goes on from. */
    this.oldestOffset = undefined;

    this.messages = element('ol', {
      className: 'messages',
      attributes: { role: 'log', 'aria-label': 'Messages', tabindex: '0' },
    });
    this.earlier = element('button', {
      text: 'Load earlier messages',
      attributes: { type: 'button' },
    });
    this.members = element('ul', { className: 'members', attributes: { 'aria-label': 'Members' } });
    this.events = element('ol', {
      className: 'room-events',
      attributes: { 'aria-label': 'Custom events received' },
    });
    this.root = element('div', { className: 'room-view', hidden: true }, [
      element('div', { className: 'conversation' }, [this.earlier, this.messages]),
      element('aside', { className: 'room-side' }, [
        element('h3', { text: 'Members' }),
        this.members,
        element('h3', { text: 'Events received' }),
        this.events,
      ]),
    ]);

    this.earlier.addEventListener('click', () => void this.loadEarlier());
    this.unsubscribe = [
      room.on('message', (message) => this.showMessage(message)),
      room.on('members', (members) => this.showMembers(members)),
      room.on('typing', ({ user, typing }) => this.showTyping(user, typing)),
      room.on('event', (event) => this.showEvent(event)),
      room.on('reset', () => this.showReset()),
    ];
    this.showMembers(room.members);
  }

  set visible(visible) {
    this.root.hidden = !visible;
  }

  /** Sends `text`, showing it at once as pending, then as sent (with its offset) or failed. */
  async send(text) {
    const item = this.messageItem({ user: this.me(), text, ts: Date.now() });
    item.dataset.pending = 'true';
    this.setStatus(item, 'pending', 'pending…');
    appendKeepingEnd(this.messages, item);
    try {
      const message = await this.room.send(text);
      const shown = this.itemOf(message.id);
      // The room's 'message' listener may have shown it first, or adopted this very item.
      if (shown && shown !== item) item.remove();
      else this.markSent(item, message);
    } catch (error) {
      delete item.dataset.pending;
      this.setStatus(item, 'failed', `failed: ${describeError(error)}`);
    }
  }

  showMessage(message) {
    if (this.itemOf(message.id)) return;
    this.noteOffset(message.offset);
    if (message.user.id === this.me()?.id) {
      const pending = [...this.messages.querySelectorAll('[data-pending="true"]')].find(
        (item) => item.dataset.text === message.text,
      );
      if (pending) {
        // Moved to the end: 'message' comes in offset order, and a send that waited out a drop
        // may be stored after messages that arrived meanwhile.
        this.markSent(pending, message);
        appendKeepingEnd(this.messages, pending);
        return;
      }
    }
    const item = this.messageItem(message);
    this.markSent(item, message);
    appendKeepingEnd(this.messages, item);
    this.clearTyping(message.user.id);
  }

  async loadEarlier() {
    this.earlier.disabled = true;
    const before = this.oldestOffset ?? this.room.lastOffset + 1;
    try {
      const { messages, hasMore } = await this.room.history({ before, limit: HISTORY_PAGE });
      const fresh = messages.filter((message) => !this.itemOf(message.id));
      const items = fresh.map((message) => {
        const item = this.messageItem(message);
        this.markSent(item, message);
        return item;
      });
      this.messages.prepend(...items);
      for (const message of messages) this.noteOffset(message.offset);
      this.earlier.textContent = hasMore ? 'Load earlier messages' : 'No earlier messages';
      this.earlier.disabled = !hasMore;
    } catch (error) {
      this.earlier.disabled = false;
      this.messages.prepend(
        this.notice(`Could not load earlier messages: ${describeError(error)}`),
      );
    }
  }

  showMembers(members) {
    this.members.replaceChildren(
      ...members.map((user) =>
        element('li', {}, [
          userLabel(user, user.id === this.me()?.id ? ' (you)' : ''),
          ' ',
          element('small', { className: 'user-id', text: user.id }),
        ]),
      ),
    );
  }

  showTyping(user, typing) {
    if (user.id === this.me()?.id) return;
    this.clearTyping(user.id, false);
    if (typing) {
      const timer = setTimeout(() => this.clearTyping(user.id), TYPING_STALE_MS);
      this.typingUsers.set(user.id, { user, timer });
    }
    this.onTypingChange();
  }

  /** "alice is typing…", "alice and bob are typing…", or nothing: nodes, each name with its mark. */
  get typingLine() {
    const labels = [...this.typingUsers.values()].map(({ user }) => userLabel(user));
    if (labels.length === 0) return [];
    if (labels.length === 1) return [labels[0], ' is typing…'];
    const listed = labels.slice(0, -1).flatMap((label, index) => (index ? [', ', label] : [label]));
    return [...listed, ' and ', labels.at(-1), ' are typing…'];
  }

  showEvent({ event, data, user, ts }) {
    const item = element('li', {}, [
      element('time', { text: clockTime(ts) }),
      ' ',
      userLabel(user),
      ' ',
      element('code', { text: event }),
      ' ',
      element('span', { className: 'data', text: preview(data) }),
    ]);
    appendKeepingEnd(this.events, item);
  }

  /** Shows a custom event that this page sent (the server relays it to the others only). */
  showOwnEvent(event, data, recipients) {
    this.showEvent({ event: `${event} → ${recipients}`, data, user: this.me(), ts: Date.now() });
  }

  showReset() {
    this.oldestOffset = undefined;
    this.earlier.disabled = false;
    this.earlier.textContent = 'Load earlier messages';
    appendKeepingEnd(
      this.messages,
      this.notice('The server’s history was reset: offsets start again from 1.'),
    );
  }

  dispose() {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    for (const { timer } of this.typingUsers.values()) clearTimeout(timer);
    this.root.remove();
  }

  clearTyping(userId, notify = true) {
    const entry = this.typingUsers.get(userId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.typingUsers.delete(userId);
    if (notify) this.onTypingChange();
  }

  noteOffset(offset) {
    if (this.oldestOffset === undefined || offset < this.oldestOffset) this.oldestOffset = offset;
  }

  itemOf(messageId) {
    return [...this.messages.children].find((item) => item.dataset.id === messageId);
  }

  messageItem({ user, text, ts }) {
    const own = user?.id === this.me()?.id;
    const item = element('li', { className: own ? 'message own' : 'message' }, [
      element('span', { className: 'author' }, [userLabel(user)]),
      element('time', { text: clockTime(ts) }),
      element('span', { className: 'status' }),
      element('p', { className: 'text', text }),
    ]);
    item.dataset.text = text;
    return item;
  }

  markSent(item, message) {
    delete item.dataset.pending;
    item.dataset.id = message.id;
    item.dataset.offset = String(message.offset);
    this.setStatus(item, 'sent', `#${message.offset}`);
  }

  setStatus(item, state, text) {
    item.dataset.state = state;
    const status = item.querySelector('.status');
    status.textContent = text;
    status.title = state;
  }

  notice(text) {
    return element('li', { className: 'notice', text });
  }
}
