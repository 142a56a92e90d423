// The reference for the benchmark: a hand-written Socket.IO 4.8 server, no Nest, doing what
// Switchboard does on the hot path for `session:ping`, `room:join` and `chat:send`, with the
// contract's semantics (docs/protocol.md): guest handshake and `welcome`, one reply per event, the
// per-socket rate limit, UNKNOWN_EVENT, payloads validated with Switchboard's own DTO classes
// (from dist/) and class-validator's validateSync, per-user presence, per-room offsets, the
// bounded history with idempotent clientMsgId, `room:joined`/`room:left`, `chat:message` to the
// room but the sender, connection state recovery with the same options, and the same counts that
// Switchboard's /metrics exposes (kept in plain variables: exposing them is off the hot path).
// Only memory stores, as in Switchboard today, so nothing here awaits.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Server } from 'socket.io';
import { loadConfig } from '../dist/config/app-config.js';
import { SendMessageDto } from '../dist/rooms/chat.dto.js';
import { JoinRoomDto } from '../dist/rooms/rooms.dto.js';
import { announceReady, benchEnvironment } from './support/server-harness.mjs';

const RECOVERY_WINDOW_MS = 2 * 60 * 1000;
const GUEST_NAME_MAX = 32;
const USER_ROOM_PREFIX = 'user:';
const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
};

const config = loadConfig(benchEnvironment());

class ReplyError extends Error {
  constructor(code, message, details) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

function failureOf(error) {
  if (!(error instanceof ReplyError)) {
    return { ok: false, error: { code: 'INTERNAL', message: 'internal error' } };
  }
  const { code, message, details } = error;
  return {
    ok: false,
    error: details === undefined ? { code, message } : { code, message, details },
  };
}

// ---- what /metrics would show: plain counters and a latency histogram ----

const metrics = {
  connectedSockets: 0,
  eventsReceived: new Map(),
  eventsSent: new Map(),
  replies: new Map(),
  latencyBuckets: new Float64Array(LATENCY_BUCKETS_S.length + 1),
  latencySum: 0,
};

function count(counter, label) {
  counter.set(label, (counter.get(label) ?? 0) + 1);
}

function observeLatency(seconds) {
  let bucket = 0;
  while (bucket < LATENCY_BUCKETS_S.length && seconds > LATENCY_BUCKETS_S[bucket]) bucket += 1;
  metrics.latencyBuckets[bucket] += 1;
  metrics.latencySum += seconds;
}

// ---- per-socket rate limit: a lazily refilled token bucket ----

class TokenBucket {
  constructor(ratePerSecond, burst) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = performance.now();
  }

  tryTake() {
    const now = performance.now();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond,
    );
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

// ---- validation with Switchboard's DTO classes ----

function validate(dto, payload) {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new ReplyError('VALIDATION_FAILED', 'the payload is not valid', [
      { field: 'payload', problems: ['payload must be an object'] },
    ]);
  }
  const instance = plainToInstance(dto, payload);
  const errors = validateSync(instance, VALIDATOR_OPTIONS);
  if (errors.length > 0) {
    throw new ReplyError('VALIDATION_FAILED', 'the payload is not valid', fieldProblems(errors));
  }
  return instance;
}

function fieldProblems(errors, parentPath = '') {
  return errors.flatMap((error) => {
    const field = parentPath ? `${parentPath}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return own.concat(fieldProblems(error.children ?? [], field));
  });
}

// ---- presence (per user) and history (per room), in memory ----

/** room → user id → { user, sockets } */
const presence = new Map();
/** socket id → rooms it joined */
const socketRooms = new Map();
/** room → { messages, lastOffset, byClientMsgId } */
const histories = new Map();

/** Adds the socket to the room's presence; whether the socket was new to it and the user too. */
function enterPresence(room, user, socketId) {
  let members = presence.get(room);
  if (!members) {
    members = new Map();
    presence.set(room, members);
  }
  let member = members.get(user.id);
  const userChanged = member === undefined;
  if (!member) {
    member = { user: { id: user.id, name: user.name }, sockets: new Set() };
    members.set(user.id, member);
  }
  const socketAdded = !member.sockets.has(socketId);
  member.sockets.add(socketId);
  let rooms = socketRooms.get(socketId);
  if (!rooms) {
    rooms = new Set();
    socketRooms.set(socketId, rooms);
  }
  rooms.add(room);
  return { socketAdded, userChanged };
}

function leavePresence(room, userId, socketId) {
  const members = presence.get(room);
  const member = members?.get(userId);
  const socketRemoved = member?.sockets.delete(socketId) ?? false;
  const userChanged = socketRemoved && member.sockets.size === 0;
  if (userChanged) {
    members.delete(userId);
    if (members.size === 0) presence.delete(room);
  }
  return userChanged;
}

function historyOf(room) {
  let history = histories.get(room);
  if (!history) {
    history = { messages: [], lastOffset: 0, byClientMsgId: new Map() };
    histories.set(room, history);
  }
  return history;
}

const idempotencyKey = (userId, clientMsgId) => `${userId}\u0000${clientMsgId}`;

// ---- the events ----

function emitToRoomExceptSender(socket, room, event, payload) {
  socket.to(room).emit(event, payload);
  count(metrics.eventsSent, event);
}

function ping() {
  return { serverTime: Date.now() };
}

function joinRoom(socket, payload) {
  const { room, after } = validate(JoinRoomDto, payload);
  const user = socket.data.user;
  const rooms = socketRooms.get(socket.id);
  if (!rooms?.has(room) && (rooms?.size ?? 0) >= config.roomMaxPerSocket) {
    throw new ReplyError(
      'FORBIDDEN',
      `a socket may be in at most ${config.roomMaxPerSocket} rooms`,
    );
  }
  const { socketAdded, userChanged } = enterPresence(room, user, socket.id);
  if (socketAdded) {
    socket.join(room);
    if (userChanged) {
      emitToRoomExceptSender(socket, room, 'room:joined', {
        room,
        user: { id: user.id, name: user.name },
      });
    }
  }
  const history = histories.get(room);
  const members = [...presence.get(room).values()].map((member) => member.user);
  const lastOffset = history?.lastOffset ?? 0;
  let missed = [];
  let hasMore = false;
  if (after !== undefined && history) {
    const first = history.lastOffset - history.messages.length + 1;
    const start = Math.min(history.messages.length, Math.max(0, after + 1 - first));
    const stop = Math.min(history.messages.length, start + 100);
    missed = history.messages.slice(start, stop);
    hasMore = stop < history.messages.length;
  }
  return { room, members, lastOffset, missed, hasMore };
}

function sendMessage(socket, payload) {
  const { room, text, clientMsgId } = validate(SendMessageDto, payload);
  if (!socketRooms.get(socket.id)?.has(room)) {
    throw new ReplyError('FORBIDDEN', 'this socket is not in the room');
  }
  const user = socket.data.user;
  const history = historyOf(room);
  const key = clientMsgId === undefined ? undefined : idempotencyKey(user.id, clientMsgId);
  const earlier = key === undefined ? undefined : history.byClientMsgId.get(key);
  if (earlier) {
    if (earlier.text !== text) {
      throw new ReplyError('CONFLICT', 'this clientMsgId was already used for another text');
    }
    return earlier;
  }
  history.lastOffset += 1;
  // Built as the memory store builds it, so that the message and its JSON are the same.
  const draft = {
    id: randomUUID(),
    room,
    user: { id: user.id, name: user.name },
    text,
    ts: Date.now(),
    clientMsgId,
  };
  const message = { ...draft, offset: history.lastOffset };
  if (clientMsgId === undefined) delete message.clientMsgId;
  history.messages.push(message);
  if (key !== undefined) history.byClientMsgId.set(key, message);
  while (history.messages.length > config.historyLimit) {
    const dropped = history.messages.shift();
    if (dropped.clientMsgId !== undefined) {
      history.byClientMsgId.delete(idempotencyKey(dropped.user.id, dropped.clientMsgId));
    }
  }
  emitToRoomExceptSender(socket, room, 'chat:message', message);
  return message;
}

const HANDLERS = new Map([
  ['session:ping', ping],
  ['room:join', joinRoom],
  ['chat:send', sendMessage],
]);

/** Every event of a socket: rate limit, handler, exactly one reply (the ack, or `error`). */
function dispatch(socket, bucket, event, args) {
  const startedAt = performance.now();
  const ack = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
  const handler = HANDLERS.get(event);
  count(metrics.eventsReceived, handler ? event : 'unknown');
  let reply;
  if (!bucket.tryTake()) {
    reply = failureOf(new ReplyError('RATE_LIMITED', 'too many events: slow down'));
  } else if (!handler) {
    reply = failureOf(new ReplyError('UNKNOWN_EVENT', `unknown event "${event}"`));
  } else {
    try {
      reply = { ok: true, data: handler(socket, args[0]) ?? {} };
    } catch (error) {
      if (!(error instanceof ReplyError)) console.error(`${event} failed`, error);
      reply = failureOf(error);
    }
  }
  count(metrics.replies, reply.ok ? 'OK' : reply.error.code);
  observeLatency((performance.now() - startedAt) / 1000);
  if (ack) {
    ack(reply);
  } else if (!reply.ok) {
    socket.emit('error', { event, ...reply.error });
    count(metrics.eventsSent, 'error');
  }
}

// ---- handshake and connection life cycle ----

function guestName(name) {
  if (name === undefined || name === null) return 'Anonymous';
  if (typeof name !== 'string') return undefined;
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'Anonymous';
  return [...trimmed].length > GUEST_NAME_MAX ? undefined : trimmed;
}

function authenticate(socket, next) {
  const auth = socket.handshake.auth;
  const credentials = typeof auth === 'object' && auth !== null ? auth : {};
  // No JWT secret in the benchmark's configuration: Switchboard refuses tokens then too.
  const name =
    credentials.token === undefined && config.allowGuests ? guestName(credentials.name) : undefined;
  if (name === undefined) {
    next(Object.assign(new Error('unauthorized'), { data: { code: 'UNAUTHORIZED' } }));
    return;
  }
  socket.data.user = { id: `guest:${randomUUID()}`, name, roles: [] };
  next();
}

function onConnection(socket) {
  const user = socket.data.user;
  metrics.connectedSockets += 1;
  if (socket.recovered) {
    for (const room of socket.rooms) {
      if (room !== socket.id && room !== USER_ROOM_PREFIX + user.id) {
        enterPresence(room, user, socket.id);
      }
    }
  } else {
    socket.join(USER_ROOM_PREFIX + user.id);
  }
  socket.emit('welcome', {
    socketId: socket.id,
    user: { id: user.id, name: user.name },
    recovered: socket.recovered,
    serverTime: Date.now(),
  });
  count(metrics.eventsSent, 'welcome');

  const bucket = new TokenBucket(config.rateLimitPerSec, config.rateLimitBurst);
  socket.onAny((event, ...args) => dispatch(socket, bucket, event, args));
  socket.on('disconnect', () => {
    metrics.connectedSockets -= 1;
    const rooms = socketRooms.get(socket.id);
    socketRooms.delete(socket.id);
    for (const room of rooms ?? []) {
      if (leavePresence(room, user.id, socket.id)) {
        emitToRoomExceptSender(socket, room, 'room:left', {
          room,
          user: { id: user.id, name: user.name },
          reason: 'disconnect',
        });
      }
    }
  });
}

function isOriginAllowed(request) {
  const origin = request.headers.origin;
  const allowed = config.corsOrigins;
  if (origin === undefined || allowed === '*') return true;
  if (Array.isArray(allowed) && allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

const httpServer = createServer((_request, response) => response.writeHead(404).end());
const io = new Server(httpServer, {
  maxHttpBufferSize: config.maxPayloadBytes,
  cors: { origin: config.corsOrigins === '*' ? true : config.corsOrigins },
  allowRequest: (request, callback) => callback(null, isOriginAllowed(request)),
  connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: true },
});
io.use(authenticate);
io.on('connection', onConnection);

httpServer.listen(0, '127.0.0.1', () => void announceReady(httpServer.address().port));
