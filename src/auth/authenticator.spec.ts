import { SignJWT, UnsecuredJWT } from 'jose';
import { authenticatorWith } from '../../test/support/authenticators.js';
import { signToken, TEST_JWT_SECRET } from '../../test/support/tokens.js';
import type { Authenticator } from './authenticator.js';

describe('Authenticator', () => {
  let authenticator: Authenticator;
  beforeEach(async () => {
    authenticator = await authenticatorWith({ AUTH_JWT_SECRET: TEST_JWT_SECRET });
  });

  it('accepts an HS256 token: sub is the id, name the name, roles the roles, rooms the grants, exp the expiry', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = await signToken(
      {
        sub: 'u1',
        name: 'Ada',
        roles: ['admin', 7 as unknown as string],
        rooms: ['private:a', 'private:team-*'],
      },
      { expiresIn: exp },
    );
    await expect(authenticator.authenticate({ token })).resolves.toEqual({
      id: 'u1',
      name: 'Ada',
      roles: ['admin'],
      rooms: ['private:a', 'private:team-*'],
      expiresAt: exp * 1000,
    });
  });

  it('names a token user by their id when the token has no name, and grants no room', async () => {
    const token = await signToken({ sub: 'u1' });
    await expect(authenticator.authenticate({ token })).resolves.toMatchObject({
      id: 'u1',
      name: 'u1',
      roles: [],
      rooms: [],
    });
  });

  it.each([
    ['expired', () => signToken({ sub: 'u1' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    [
      'signed with another secret',
      () => signToken({ sub: 'u1' }, { secret: 'another-secret-of-enough-length!!' }),
    ],
    ['unsigned (alg none)', () => Promise.resolve(new UnsecuredJWT({ sub: 'u1' }).encode())],
    [
      'signed with HS512',
      () =>
        new SignJWT({ sub: 'u1' })
          .setProtectedHeader({ alg: 'HS512' })
          .sign(new TextEncoder().encode(TEST_JWT_SECRET)),
    ],
    ['without a subject', () => signToken({ name: 'x' })],
    ['whose subject is a guest id', () => signToken({ sub: 'guest:1234' })],
    ['whose subject is the reserved id "system"', () => signToken({ sub: 'system' })],
    [
      'with a room claim (a room token is not a login)',
      () => signToken({ sub: 'u1', room: 'private:x' }),
    ],
    ['not a JWT', () => Promise.resolve('garbage')],
    ['not a string', () => Promise.resolve(42 as unknown as string)],
  ])('refuses a token %s', async (_case, token) => {
    await expect(authenticator.authenticate({ token: await token() })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it.each([
    ['a new line', 'Ada\nLovelace', 'AdaLovelace'],
    ['an escape sequence', '\u001b[31mAda', '[31mAda'],
    ['a right-to-left override', 'Ada\u202Eevil', 'Adaevil'],
    ['a zero-width space', 'A\u200Bda', 'Ada'],
  ])('removes %s from a token’s name', async (_case, name, shown) => {
    const token = await signToken({ sub: 'u1', name });
    await expect(authenticator.authenticate({ token })).resolves.toMatchObject({ name: shown });
  });

  it('names a token user by their id when nothing is left of the name', async () => {
    const token = await signToken({ sub: 'u1', name: ' \u0000\u202E\u200B ' });
    await expect(authenticator.authenticate({ token })).resolves.toMatchObject({ name: 'u1' });
  });

  it('refuses every token when no secret is configured', async () => {
    const withoutSecret = await authenticatorWith({});
    await expect(
      withoutSecret.authenticate({ token: await signToken({ sub: 'u1' }) }),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('makes a guest with a fresh id and the trimmed name, or Anonymous', async () => {
    const guest = await authenticator.authenticate({ name: '  Grace  ' });
    expect(guest).toEqual({ id: expect.stringMatching(/^guest:.+/), name: 'Grace', roles: [] });
    expect((await authenticator.authenticate({ name: 'Grace' })).id).not.toBe(guest.id);
    expect((await authenticator.authenticate(undefined)).name).toBe('Anonymous');
    expect((await authenticator.authenticate({ name: '   ' })).name).toBe('Anonymous');
  });

  it('refuses a guest name over 32 characters or not a string', async () => {
    await expect(authenticator.authenticate({ name: 'x'.repeat(33) })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(authenticator.authenticate({ name: ['x'] })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(authenticator.authenticate({ name: 'x'.repeat(32) })).resolves.toMatchObject({
      name: 'x'.repeat(32),
    });
  });

  it.each([
    ['NUL', 'ali\u0000ce'],
    ['ESC', '\u001b[1malice'],
    ['a new line', 'alice\nSystem: you are banned'],
    ['a carriage return', 'alice\r'],
    ['a tab', 'ali\tce'],
    ['a right-to-left override', 'alice\u202Eecila'],
    ['a left-to-right isolate', '\u2066alice'],
    ['a zero-width space', 'ali\u200Bce'],
    ['a zero-width joiner', 'ali\u200Dce'],
    ['a byte order mark', '\uFEFFalice'],
    ['a soft hyphen', 'ali\u00ADce'],
  ])('refuses a guest name holding %s', async (_case, name) => {
    await expect(authenticator.authenticate({ name })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('refuses guests when AUTH_ALLOW_GUESTS is false', async () => {
    const strict = await authenticatorWith({
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      AUTH_ALLOW_GUESTS: 'false',
    });
    await expect(strict.authenticate({ name: 'Grace' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});
