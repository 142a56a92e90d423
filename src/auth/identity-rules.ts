import { AppError } from '../common/app-error.js';
import { SYSTEM_SENDER, type User } from '@switchboard/contract';

/**
 * The rules that keep a name or an id from passing for someone else's, in one place so that every
 * way of saying who a socket is (a guest's handshake, a token, the connect hook) applies the same.
 * They run when an identity is made (handshake, refresh), never per event.
 */

/** Guests' ids start with it; no other identity may claim such an id (it names a guest's user room). */
export const GUEST_ID_PREFIX = 'guest:';

const GUEST_NAME_MAX = 32;
const ANONYMOUS = 'Anonymous';

/**
 * Control (Cc) and format (Cf) characters: new lines and escape sequences that fake a second line
 * or a colour in a log or a chat, bidirectional overrides that show a name backwards, zero-width
 * characters that make two different names look alike.
 */
const MISLEADING_CHARACTER = /[\p{Cc}\p{Cf}]/u;
const MISLEADING_CHARACTERS = /[\p{Cc}\p{Cf}]/gu;

/** Whether `id` belongs to the service itself (the server API's sender) or names a guest. */
export function isReservedUserId(id: string): boolean {
  return id === SYSTEM_SENDER.id || id.startsWith(GUEST_ID_PREFIX);
}

/** `name` without its control and format characters. */
export function withoutMisleadingCharacters(name: string): string {
  return name.replace(MISLEADING_CHARACTERS, '');
}

/**
 * The user that a trusted source (a verified token, the connect hook) names: UNAUTHORIZED when
 * its id is reserved; its name cleaned of control and format characters and trimmed, or its id
 * when nothing is left.
 */
export function namedUser(id: string, name: unknown): User {
  if (isReservedUserId(id)) {
    throw new AppError(
      'UNAUTHORIZED',
      `the user id "${SYSTEM_SENDER.id}" and ids starting with "${GUEST_ID_PREFIX}" are reserved`,
    );
  }
  const shown = typeof name === 'string' ? withoutMisleadingCharacters(name).trim() : '';
  return { id, name: shown || id };
}

/**
 * The name a guest gave, trimmed, or Anonymous when it gave none. A guest vouches for nothing, so
 * a name that would be shown otherwise than given is refused rather than cleaned.
 */
export function guestName(name: unknown): string {
  if (name === undefined || name === null) return ANONYMOUS;
  if (typeof name !== 'string') {
    throw new AppError('UNAUTHORIZED', 'the guest name must be a string');
  }
  if (MISLEADING_CHARACTER.test(name)) {
    throw new AppError(
      'UNAUTHORIZED',
      'the guest name may not hold control or format characters (new lines, escapes, bidirectional overrides, zero-width characters)',
    );
  }
  const trimmed = name.trim();
  if (trimmed.length === 0) return ANONYMOUS;
  if ([...trimmed].length > GUEST_NAME_MAX) {
    throw new AppError(
      'UNAUTHORIZED',
      `the guest name must be at most ${GUEST_NAME_MAX} characters`,
    );
  }
  return trimmed;
}
