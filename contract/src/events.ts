import type { ClientEventName, ServerEventName } from './socket-events.js';

/** Event names of docs/protocol.md, one constant each so that a typo is a compile error. */
export const ClientEvents = {
  sessionPing: 'session:ping',
  sessionRefresh: 'session:refresh',
  roomJoin: 'room:join',
  roomLeave: 'room:leave',
  roomMembers: 'room:members',
  chatSend: 'chat:send',
  chatTyping: 'chat:typing',
  chatHistory: 'chat:history',
  notificationSend: 'notification:send',
  roomEmit: 'room:emit',
  userEmit: 'user:emit',
  rpc: 'rpc',
} as const satisfies Record<string, ClientEventName>;

export const ServerEvents = {
  welcome: 'welcome',
  sessionExpiring: 'session:expiring',
  sessionEnded: 'session:ended',
  roomJoined: 'room:joined',
  roomLeft: 'room:left',
  chatMessage: 'chat:message',
  chatTyping: 'chat:typing',
  notification: 'notification',
  roomEvent: 'room:event',
  userEvent: 'user:event',
  error: 'error',
} as const satisfies Record<string, ServerEventName>;

/** Who sends what no user sent: another backend's message, event or notification. */
export const SYSTEM_SENDER = { id: 'system', name: 'System' } as const;

export const USER_ROOM_PREFIX = 'user:';

export function userRoom(userId: string): string {
  return USER_ROOM_PREFIX + userId;
}

/**
 * Chat rooms live under their own prefix in Socket.IO's room namespace, which also holds every
 * socket's id and every user's room: a chat room named like a socket id must not reach that
 * socket. The name stands in braces, a Redis hash tag: the room's channel then shares the hash
 * slot of the room's keys.
 */
const CHAT_ROOM_PREFIX = 'room:{';
const CHAT_ROOM_SUFFIX = '}';

/** The Socket.IO room of a chat room. */
export function chatRoom(room: string): string {
  return CHAT_ROOM_PREFIX + room + CHAT_ROOM_SUFFIX;
}

/** The chat room whose Socket.IO room this is, or undefined for any other room. */
export function chatRoomOf(socketIoRoom: string): string | undefined {
  return socketIoRoom.startsWith(CHAT_ROOM_PREFIX) && socketIoRoom.endsWith(CHAT_ROOM_SUFFIX)
    ? socketIoRoom.slice(CHAT_ROOM_PREFIX.length, -CHAT_ROOM_SUFFIX.length)
    : undefined;
}

/**
 * Compile only while every event of the typed maps has its constant above, so that the AsyncAPI
 * test, which compares the document with these constants, also covers an event added to the types.
 */
type Holds<Condition extends true> = Condition;
type NoneLeft<Names> = [Names] extends [never] ? true : false;
export type EveryClientEventListed = Holds<
  NoneLeft<Exclude<ClientEventName, (typeof ClientEvents)[keyof typeof ClientEvents]>>
>;
export type EveryServerEventListed = Holds<
  NoneLeft<Exclude<ServerEventName, (typeof ServerEvents)[keyof typeof ServerEvents]>>
>;
