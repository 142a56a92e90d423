// The soak's users, each with one or two tabs: a tab is one `Switchboard` of the client library,
// connected through a routing proxy of its own, in a few rooms, chatting with retries and
// receiving notifications. It records what it was told (acknowledged sends, messages, notifications,
// connections) for the checks at the end, and counts the repeats that the library dropped.
import { Switchboard, SwitchboardError } from '@switchboard/client';
import { SignJWT } from 'jose';
import { sleep } from '../bench/support/processes.mjs';
import { RoutingProxy } from './proxy.mjs';
import { RandomStream } from './random.mjs';

const SEND_PAUSE_MS = [400, 1600];
const RETRY_PAUSE_MS = [300, 1000];
/** Refusals that say "not now": the same send (same clientMsgId) is tried again after a pause. */
const RETRIED_CODES = new Set(['INTERNAL', 'UNAVAILABLE', 'TIMEOUT', 'RATE_LIMITED']);
const TOKEN_LIFETIME = '1h';

/** Users, their tabs, and the rooms of each tab, drawn from the seed. Every room has two members at least. */
export function castOf(random, userCount, roomCount) {
  const rooms = Array.from({ length: roomCount }, (_, index) => `chaos-${index + 1}`);
  const users = Array.from({ length: userCount }, (_, index) => {
    const id = `user-${index + 1}`;
    const tabCount = random.chance(0.35) ? 2 : 1;
    const tabs = Array.from({ length: tabCount }, (__, tab) => {
      const chosen = rooms.filter(() => random.chance(0.6));
      return {
        name: `${id}/${'ab'[tab]}`,
        userId: id,
        rooms: chosen.length > 0 ? chosen : [random.pick(rooms)],
      };
    });
    return { id, tabs };
  });
  const tabs = users.flatMap((user) => user.tabs);
  for (const room of rooms) {
    const membersOf = (name) =>
      new Set(tabs.filter((tab) => tab.rooms.includes(name)).map((tab) => tab.userId));
    while (membersOf(room).size < 2) {
      const tab = random.pick(tabs.filter((candidate) => !candidate.rooms.includes(room)));
      tab.rooms.push(room);
    }
  }
  return { rooms, users };
}

/** One tab: a Switchboard, what it sent and what it saw. */
export class Tab {
  constructor({ seed, name, userId, rooms, nodes, secret, timeline }) {
    this.name = name;
    this.userId = userId;
    this.roomNames = rooms;
    this.timeline = timeline;
    this.secret = new TextEncoder().encode(secret);
    this.random = new RandomStream(seed, `tab ${name}`);
    // The pauses between retries depend on how long faults last: a stream of their own, so that
    // the sends that follow draw the same rooms and pauses whatever happened.
    this.retryRandom = new RandomStream(seed, `tab ${name} retries`);
    this.nodeOrder = this.random.shuffled(nodes);
    this.sends = [];
    /** Per room: `{ startOffset, delivered: [{ offset, id }], resets: [ms] }`. */
    this.views = new Map();
    /** Per room: the offsets of every copy that reached the tab, to count the repeats. */
    this.copiesSeen = new Map();
    this.repeats = { push: 0, rejoin: 0, history: 0, 'send reply': 0 };
    /** Notification id → when the library first gave it to the listener. */
    this.notifications = new Map();
    this.notificationCopies = new Map();
    this.connections = [];
    this.states = [];
    this.libraryErrors = [];
    this.stopped = false;
  }

  async open() {
    this.proxy = await RoutingProxy.start(this.nodeOrder, (node) =>
      this.connections.push({ atMs: this.timeline.now(), node: node?.name }),
    );
    this.switchboard = new Switchboard(this.proxy.url, {
      auth: { token: await this.token() },
      getToken: () => this.token(),
      // One WebSocket is one TCP connection: no stickiness needed behind the proxy.
      transports: ['websocket'],
    });
    this.listen();
    await this.switchboard.connected();
    for (const name of this.roomNames) {
      const room = await this.switchboard.join(name);
      // Nothing runs between the join's reply and this line: the view starts where the room did.
      const view = { startOffset: room.lastOffset, delivered: [], resets: [] };
      this.views.set(name, view);
      room.on('message', (message) =>
        view.delivered.push({ offset: message.offset, id: message.id }),
      );
      room.on('reset', () => view.resets.push(this.timeline.now()));
    }
  }

  token() {
    return new SignJWT({ name: this.name })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(this.userId)
      .setIssuedAt()
      .setExpirationTime(TOKEN_LIFETIME)
      .sign(this.secret);
  }

  listen() {
    const switchboard = this.switchboard;
    switchboard.on('state', (state, detail) => {
      this.states.push({ atMs: this.timeline.now(), state, reason: detail.reason });
      if (state !== 'connected') this.timeline.note(`${this.name} ${state} ${detail.reason ?? ''}`);
    });
    switchboard.on('welcome', (welcome) =>
      this.timeline.note(
        `${this.name} welcome on ${this.connections.at(-1)?.node} recovered=${welcome.recovered}`,
      ),
    );
    switchboard.on('error', (error) => {
      this.libraryErrors.push({ atMs: this.timeline.now(), ...error });
      this.timeline.note(
        `${this.name} library error ${error.event} ${error.code}: ${error.message}`,
      );
    });
    switchboard.on('notification', (notification) => {
      if (!this.notifications.has(notification.id))
        this.notifications.set(notification.id, { atMs: this.timeline.now(), notification });
    });
    switchboard.on('traffic', (traffic) => this.countCopies(traffic));
  }

  countCopies({ direction, event, payload, reply }) {
    if (direction !== 'in') return;
    if (!reply && event === 'notification') {
      this.notificationCopies.set(payload.id, (this.notificationCopies.get(payload.id) ?? 0) + 1);
      return;
    }
    if (!reply && event === 'chat:message') this.copy(payload, 'push');
    if (!reply || !payload?.ok) return;
    if (event === 'room:join')
      for (const message of payload.data.missed) this.copy(message, 'rejoin');
    if (event === 'chat:history')
      for (const message of payload.data.messages) this.copy(message, 'history');
    if (event === 'chat:send') this.copy(payload.data, 'send reply');
  }

  copy(message, source) {
    let seen = this.copiesSeen.get(message.room);
    if (!seen) this.copiesSeen.set(message.room, (seen = new Set()));
    if (seen.has(message.offset)) this.repeats[source]++;
    else seen.add(message.offset);
  }

  /** Sends until `stop()`: a pause, a room, one message (retried until answered). */
  async chat() {
    let sequence = 0;
    while (!this.stopped) {
      await sleep(this.random.between(...SEND_PAUSE_MS));
      const room = this.random.pick(this.roomNames);
      if (this.stopped) return;
      sequence++;
      await this.send(room, `${this.name} #${sequence}`, `${this.name}#${sequence}`);
    }
  }

  /**
   * One message, tried again with the same clientMsgId after a refusal that says "not now", as a
   * careful frontend does: the contract stores it once however many times it arrives.
   */
  async send(room, text, clientMsgId) {
    const send = { room, text, clientMsgId, startedMs: this.timeline.now(), refusals: [] };
    this.sends.push(send);
    for (;;) {
      try {
        send.message = await this.switchboard.request('chat:send', { room, text, clientMsgId });
        send.ackedMs = this.timeline.now();
        return send;
      } catch (error) {
        const code = error instanceof SwitchboardError ? error.code : String(error);
        send.refusals.push({ atMs: this.timeline.now(), code, message: error.message });
        this.timeline.note(`${this.name} send ${clientMsgId} to ${room} refused ${code}`);
        if (!RETRIED_CODES.has(code) || this.closed) {
          send.failedMs = this.timeline.now();
          send.failure = code;
          return send;
        }
      }
      await sleep(this.retryRandom.between(...RETRY_PAUSE_MS));
    }
  }

  /** No new send after the one under way, which goes on until answered. */
  stop() {
    this.stopped = true;
    this.chatting ??= Promise.resolve();
    return this.chatting;
  }

  startChatting() {
    this.chatting = this.chat();
  }

  get connected() {
    return this.switchboard?.state === 'connected';
  }

  /** The newest offset delivered to the room's listeners. */
  lastOffset(room) {
    return this.switchboard.rooms.get(room)?.lastOffset ?? 0;
  }

  async close() {
    this.closed = true;
    this.switchboard?.close();
    await this.proxy?.close();
  }
}
