import { AppError } from '../common/app-error.js';
import {
  guestName,
  isReservedUserId,
  namedUser,
  withoutMisleadingCharacters,
} from './identity-rules.js';

/** Runs `make` and returns the code of the AppError it throws. */
function refusalOf(make: () => unknown): string | undefined {
  try {
    make();
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
  return undefined;
}

describe('identity rules', () => {
  it.each(['system', 'guest:', 'guest:1234'])('reserves the id %j', (id) => {
    expect(isReservedUserId(id)).toBe(true);
    expect(refusalOf(() => namedUser(id, 'Anyone'))).toBe('UNAUTHORIZED');
  });

  it.each(['System', 'systems', 'user-42', 'a-guest:1'])('leaves the id %j to users', (id) => {
    expect(isReservedUserId(id)).toBe(false);
  });

  it('names a user with the control and format characters of its name removed, trimmed', () => {
    expect(namedUser('u1', ' \u202EAda\u0000 Lovelace\u200B ')).toEqual({
      id: 'u1',
      name: 'Ada Lovelace',
    });
  });

  it.each([undefined, 42, '', ' \u0000\u202E '])(
    'names a user by its id when its name is %j',
    (name) => {
      expect(namedUser('u1', name)).toEqual({ id: 'u1', name: 'u1' });
    },
  );

  it('removes every control and format character, and nothing else', () => {
    expect(withoutMisleadingCharacters('a\tb\nc\u001bd\u00ADe\u2066f\uFEFFg é 💬')).toBe(
      'abcdefg é 💬',
    );
  });

  it('refuses a guest name holding a control or format character, and keeps any other', () => {
    expect(refusalOf(() => guestName('ali\u200Bce'))).toBe('UNAUTHORIZED');
    expect(guestName(' Zoë 💬 ')).toBe('Zoë 💬');
  });
});
