import type { Socket } from 'socket.io-client';
import type { ErrorCode, Message, MessagePage, User, JoinResult } from '@switchboard/contract';
import { awaitedOnly, connectAs, ok, type TestClient } from './clients.js';
import { connectWithToken, uniqueId } from './identities.js';
import { TEST_JWT_SECRET } from './tokens.js';

export type JoinReply = JoinResult;

/**
 * Server settings for room and chat tests: JWTs give one user several sockets (tabs), and the
 * raised rate limit lets one socket fill a room with more than a page of history.
 */
export const ROOMS_TEST_ENV: Record<string, string> = {
  AUTH_JWT_SECRET: TEST_JWT_SECRET,
  RATE_LIMIT_PER_SEC: '1000',
  RATE_LIMIT_BURST: '1000',
};

/** Connects a guest for each name and joins them to `room`, one after the other, in that order. */
export async function guestsIn(
  url: string,
  room: string,
  ...names: string[]
): Promise<TestClient[]> {
  const sockets = await Promise.all(names.map((name) => connectAs(url, name)));
  for (const socket of sockets) await joined(socket, room);
  return sockets;
}

/** A signed-in user of its own, named `name`, for tests that give one user several sockets. */
export function newUser(name: string): User {
  return { id: uniqueId(name.toLowerCase()), name };
}

/** Two sockets of one signed-in user, as two browser tabs are. */
export function twoTabsOf(url: string, user: User): Promise<[TestClient, TestClient]> {
  const claims = { sub: user.id, name: user.name };
  return Promise.all([connectWithToken(url, claims), connectWithToken(url, claims)]);
}

/** One socket of a signed-in user on each of `urls`: tabs that a load balancer spread over nodes. */
export function tabsOn(urls: readonly string[], user: User): Promise<TestClient[]> {
  const claims = { sub: user.id, name: user.name };
  return Promise.all(urls.map((url) => connectWithToken(url, claims)));
}

/** Joins `room` (catching up from `after` when given) and returns the reply's data. */
export function joined(socket: Socket, room: string, after?: number): Promise<JoinReply> {
  return ok<JoinReply>(socket, 'room:join', after === undefined ? { room } : { room, after });
}

/** Joins every socket, one after the other, to a room of its own; returns the room's name. */
export async function inCommonRoom(...sockets: Socket[]): Promise<string> {
  const room = uniqueId('common');
  for (const socket of sockets) await joined(socket, room);
  return room;
}

/** Sends one chat message that must be accepted and returns the stored Message. */
export function sent(
  socket: Socket,
  room: string,
  text: string,
  clientMsgId?: string,
): Promise<Message> {
  return ok<Message>(
    socket,
    'chat:send',
    clientMsgId === undefined ? { room, text } : { room, text, clientMsgId },
  );
}

/** Sends "message 1" … "message <count>" one after the other, each after the previous reply. */
export async function sentInOrder(socket: Socket, room: string, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let index = 1; index <= count; index += 1) {
    messages.push(await sent(socket, room, `message ${index}`));
  }
  return messages;
}

export interface HistoryQuery {
  room: string;
  after?: number;
  before?: number;
  limit?: number;
}

export function history(socket: Socket, query: HistoryQuery): Promise<MessagePage> {
  return ok<MessagePage>(socket, 'chat:history', query);
}

/**
 * Resolves once every event the server emitted to this socket before handling a `session:ping`
 * has arrived: one connection delivers in order, so the ping's reply comes after them. A test
 * that expects an event NOT to arrive acts, waits for the reply of that act, then for this, and
 * only then looks at what it collected — a later event instead of a timer.
 */
export async function caughtUp(socket: Socket): Promise<void> {
  await ok(socket, 'session:ping');
}

/** The next `count` payloads of `event`, in arrival order. */
export function nextEvents<T = unknown>(
  socket: Socket,
  event: string,
  count: number,
  timeoutMs = 5000,
): Promise<T[]> {
  return awaitedOnly(
    new Promise((resolve, reject) => {
      const seen: T[] = [];
      const timer = setTimeout(() => {
        socket.off(event, onEvent);
        reject(new Error(`${seen.length} of ${count} "${event}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const onEvent = (payload: T) => {
        seen.push(payload);
        if (seen.length < count) return;
        clearTimeout(timer);
        socket.off(event, onEvent);
        resolve(seen);
      };
      socket.on(event, onEvent);
    }),
  );
}

/** The reply of a refused event with `code` and no details. */
export function failure(code: ErrorCode): unknown {
  return { ok: false, error: { code, message: expect.any(String) } };
}

/** The reply of an event refused as VALIDATION_FAILED for one field (a name or a matcher). */
export function validationFailure(field: unknown): unknown {
  return {
    ok: false,
    error: {
      code: 'VALIDATION_FAILED',
      message: expect.any(String),
      details: [{ field, problems: expect.arrayContaining([expect.any(String)]) }],
    },
  };
}

export function offsetsOf(messages: readonly Message[]): number[] {
  return messages.map((message) => message.offset);
}

/** `first`, `first + 1`, … `last`. */
export function offsetRange(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

/** Members in a stable order, since the contract does not order them. */
export function sortedById(users: readonly User[]): User[] {
  return [...users].sort((a, b) => a.id.localeCompare(b.id));
}

/** The reply to a message that would bring a room into the store past `bound`. */
export function refusedNaming(bound: string) {
  return {
    ok: false,
    error: {
      code: 'RATE_LIMITED',
      message: expect.stringContaining(bound),
      details: { limit: bound },
    },
  };
}
