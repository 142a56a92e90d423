export {
  Switchboard,
  type ConnectionState,
  type StateChange,
  type SwitchboardEvents,
  type SwitchboardOptions,
  type Traffic,
} from './switchboard.js';
export { Room, type HistoryOptions, type RoomEvents } from './room.js';
export { SwitchboardError } from './switchboard-error.js';
export type {
  ErrorCode,
  ErrorEvent,
  Message,
  MessagePage,
  Notification,
  User,
  UserEvent,
  ReplyData,
  Welcome,
} from '@switchboard/contract';
