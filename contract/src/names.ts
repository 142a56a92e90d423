import { USER_ROOM_PREFIX } from './events.js';

/** Room names (docs/protocol.md, Rooms): 1–64 of `A-Z a-z 0-9 _ . : -`, never a `user:` room. */
export const ROOM_NAME = new RegExp(`^(?!${USER_ROOM_PREFIX})[A-Za-z0-9_.:-]{1,64}$`);

/** The application's own event names (custom events): 1–64 of `A-Z a-z 0-9 _ . : -`. */
export const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
