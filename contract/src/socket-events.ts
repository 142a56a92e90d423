/**
 * Socket.IO's typed-events maps of the contract: the server's `Server<ClientToServerEvents,
 * ServerToClientEvents>` and a client's `Socket<ServerToClientEvents, ClientToServerEvents>` read
 * the same payloads, so that a change to one breaks the build of the other. Types only.
 */
import type {
  ErrorEvent,
  HistoryQuery,
  JoinResult,
  JoinRoom,
  Message,
  MessagePage,
  Notification,
  NotificationAck,
  NotificationSent,
  Relayed,
  Reply,
  RoomEmit,
  RoomEvent,
  RoomJoined,
  RoomLeft,
  RoomMembers,
  RoomRef,
  RpcCall,
  SendMessage,
  SendNotification,
  SessionEnded,
  SessionExpiring,
  SessionPong,
  SessionRefresh,
  SessionRefreshed,
  Typing,
  TypingEvent,
  UserEmit,
  UserEvent,
  Welcome,
} from './types.js';

/** The acknowledgement callback that the server calls exactly once. */
export type Ack<T> = (reply: Reply<T>) => void;

export interface ClientToServerEvents {
  'session:ping': (ack: Ack<SessionPong>) => void;
  'session:refresh': (payload: SessionRefresh, ack: Ack<SessionRefreshed>) => void;
  'room:join': (payload: JoinRoom, ack: Ack<JoinResult>) => void;
  'room:leave': (payload: RoomRef, ack: Ack<RoomRef>) => void;
  'room:members': (payload: RoomRef, ack: Ack<RoomMembers>) => void;
  'chat:send': (payload: SendMessage, ack: Ack<Message>) => void;
  'chat:typing': (payload: Typing, ack: Ack<Record<string, never>>) => void;
  'chat:history': (payload: HistoryQuery, ack: Ack<MessagePage>) => void;
  'notification:send': (payload: SendNotification, ack: Ack<NotificationSent>) => void;
  'room:emit': (payload: RoomEmit, ack: Ack<Relayed>) => void;
  'user:emit': (payload: UserEmit, ack: Ack<Relayed>) => void;
  rpc: (payload: RpcCall, ack: Ack<unknown>) => void;
}

export interface ServerToClientEvents {
  welcome: (welcome: Welcome) => void;
  'session:expiring': (expiring: SessionExpiring) => void;
  'session:ended': (ended: SessionEnded) => void;
  'room:joined': (joined: RoomJoined) => void;
  'room:left': (left: RoomLeft) => void;
  'chat:message': (message: Message) => void;
  'chat:typing': (typing: TypingEvent) => void;
  notification: (notification: Notification, ack: (response: NotificationAck) => void) => void;
  'room:event': (event: RoomEvent) => void;
  'user:event': (event: UserEvent) => void;
  error: (error: ErrorEvent) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
export type ServerEventName = keyof ServerToClientEvents;

/** The `data` of a client event's successful reply. */
export type ReplyData<E extends ClientEventName> =
  Parameters<ClientToServerEvents[E]> extends [...unknown[], Ack<infer T>] ? T : never;

/** The server events that a client acknowledges (those whose handler takes a callback). */
export type AcknowledgedServerEventName = {
  [E in ServerEventName]: Parameters<ServerToClientEvents[E]> extends [unknown, unknown]
    ? E
    : never;
}[ServerEventName];

/** The payload of a server event (its first argument). */
export type ServerPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];
