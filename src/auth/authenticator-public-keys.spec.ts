import { SignJWT, UnsecuredJWT } from 'jose';
import { authenticatorWith } from '../../test/support/authenticators.js';
import {
  issueToken,
  KeySetServer,
  secondsFromNow,
  signingKey,
  type SigningKey,
} from '../../test/support/signing-keys.js';
import { signToken, TEST_JWT_SECRET } from '../../test/support/tokens.js';

const unauthorized = { code: 'UNAUTHORIZED' };

describe('Authenticator with an identity provider’s keys', () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let ed: SigningKey;
  let stranger: SigningKey;
  beforeAll(() => {
    [rsa, ec, ed, stranger] = [
      signingKey('RS256'),
      signingKey('ES256'),
      signingKey('EdDSA'),
      signingKey('RS256'),
    ];
  });

  describe('with a PEM public key', () => {
    it.each([
      ['an RSA key', () => rsa, 'RS256'],
      ['an RSA key', () => rsa, 'PS256'],
      ['an EC P-256 key', () => ec, 'ES256'],
      ['an Ed25519 key', () => ed, 'EdDSA'],
    ])('accepts a token of %s signed with %s', async (_key, key, alg) => {
      const authenticator = await authenticatorWith({ AUTH_JWT_PUBLIC_KEY: key().publicKeyPem });
      const token = await issueToken({ ...key(), alg }, { sub: 'u1', name: 'Ada' });
      await expect(authenticator.authenticate({ token })).resolves.toMatchObject({
        id: 'u1',
        name: 'Ada',
      });
    });

    it('reads sub, name, roles, rooms and exp as it reads them in an HS256 token', async () => {
      const authenticator = await authenticatorWith({ AUTH_JWT_PUBLIC_KEY: rsa.publicKeyPem });
      const exp = secondsFromNow(600);
      const claims = { sub: 'u1', name: 'Ada', roles: ['admin'], rooms: ['private:x'] };
      const token = await issueToken(rsa, claims, { expiresAt: exp });
      await expect(authenticator.authenticate({ token })).resolves.toEqual({
        id: 'u1',
        name: 'Ada',
        roles: ['admin'],
        rooms: ['private:x'],
        expiresAt: exp * 1000,
      });
    });

    it('reads a PEM written on one line with \\n for its line breaks', async () => {
      const oneLine = rsa.publicKeyPem.trim().replaceAll('\n', '\\n');
      const authenticator = await authenticatorWith({ AUTH_JWT_PUBLIC_KEY: oneLine });
      const token = await issueToken(rsa, { sub: 'u1' });
      await expect(authenticator.authenticate({ token })).resolves.toMatchObject({ id: 'u1' });
    });

    it.each([
      ['signed by another key', () => issueToken(stranger, { sub: 'u1' })],
      ['expired', () => issueToken(rsa, { sub: 'u1' }, { expiresAt: secondsFromNow(-60) })],
      [
        'signed with HS256 and the PEM text as the secret (algorithm confusion)',
        () =>
          new SignJWT({ sub: 'u1', roles: ['admin'] })
            .setProtectedHeader({ alg: 'HS256' })
            .setExpirationTime('1h')
            .sign(new TextEncoder().encode(rsa.publicKeyPem)),
      ],
      ['unsigned (alg none)', () => Promise.resolve(new UnsecuredJWT({ sub: 'u1' }).encode())],
      ['signed with HS256 and the shared secret', () => signToken({ sub: 'u1' })],
    ])('refuses a token %s', async (_case, token) => {
      const authenticator = await authenticatorWith({ AUTH_JWT_PUBLIC_KEY: rsa.publicKeyPem });
      await expect(authenticator.authenticate({ token: await token() })).rejects.toMatchObject(
        unauthorized,
      );
    });

    it('refuses algorithm confusion even when a shared secret is configured too', async () => {
      const authenticator = await authenticatorWith({
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        AUTH_JWT_PUBLIC_KEY: rsa.publicKeyPem,
      });
      const forged = await new SignJWT({ sub: 'u1' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(rsa.publicKeyPem));
      await expect(authenticator.authenticate({ token: forged })).rejects.toMatchObject(
        unauthorized,
      );
    });
  });

  describe('with a JWKS endpoint', () => {
    let endpoint: KeySetServer;
    beforeEach(async () => {
      endpoint = await KeySetServer.start([ec]);
    });
    afterEach(() => endpoint.close());

    it('accepts an ES256 token whose kid the endpoint serves, fetching the keys once', async () => {
      const authenticator = await authenticatorWith({ AUTH_JWKS_URL: endpoint.url });
      for (const sub of ['u1', 'u2']) {
        const token = await issueToken(ec, { sub });
        await expect(authenticator.authenticate({ token })).resolves.toMatchObject({ id: sub });
      }
      expect(endpoint.fetches).toBe(1);
    });

    it('fetches the keys again for an unknown kid, and accepts a rotated key', async () => {
      const authenticator = await authenticatorWith({
        AUTH_JWKS_URL: endpoint.url,
        AUTH_JWKS_COOLDOWN_MS: '0',
      });
      await authenticator.authenticate({ token: await issueToken(ec, { sub: 'u1' }) });
      const rotated = signingKey('ES256', 'rotated');
      endpoint.serve([ec, rotated]);
      const token = await issueToken(rotated, { sub: 'u1' });
      await expect(authenticator.authenticate({ token })).resolves.toMatchObject({ id: 'u1' });
      expect(endpoint.fetches).toBe(2);
    });

    it('does not fetch again for an unknown kid within the cooldown', async () => {
      const authenticator = await authenticatorWith({ AUTH_JWKS_URL: endpoint.url });
      await authenticator.authenticate({ token: await issueToken(ec, { sub: 'u1' }) });
      const token = await issueToken(stranger, { sub: 'u1' });
      await expect(authenticator.authenticate({ token })).rejects.toMatchObject(unauthorized);
      expect(endpoint.fetches).toBe(1);
    });

    it('accepts a token that any of the configured keys verifies', async () => {
      const authenticator = await authenticatorWith({
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        AUTH_JWT_PUBLIC_KEY: rsa.publicKeyPem,
        AUTH_JWKS_URL: endpoint.url,
      });
      for (const token of [
        await signToken({ sub: 'by-secret' }),
        await issueToken(rsa, { sub: 'by-pem' }),
        await issueToken(ec, { sub: 'by-jwks' }),
      ]) {
        await expect(authenticator.authenticate({ token })).resolves.toHaveProperty('id');
      }
    });
  });

  describe('with AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE', () => {
    const env = () => ({
      AUTH_JWT_PUBLIC_KEY: rsa.publicKeyPem,
      AUTH_JWT_ISSUER: 'https://idp.example.com/',
      AUTH_JWT_AUDIENCE: 'switchboard',
    });

    it('accepts a token of that issuer for that audience', async () => {
      const authenticator = await authenticatorWith(env());
      const token = await issueToken(
        rsa,
        { sub: 'u1' },
        { issuer: 'https://idp.example.com/', audience: 'switchboard' },
      );
      await expect(authenticator.authenticate({ token })).resolves.toMatchObject({ id: 'u1' });
    });

    it.each([
      ['another issuer', { issuer: 'https://evil.example.com/', audience: 'switchboard' }],
      ['another audience', { issuer: 'https://idp.example.com/', audience: 'billing' }],
      ['no issuer', { audience: 'switchboard' }],
      ['no audience', { issuer: 'https://idp.example.com/' }],
    ])('refuses a token with %s', async (_case, options) => {
      const authenticator = await authenticatorWith(env());
      const token = await issueToken(rsa, { sub: 'u1' }, options);
      await expect(authenticator.authenticate({ token })).rejects.toMatchObject(unauthorized);
    });

    it('checks them on tokens signed with the shared secret too', async () => {
      const authenticator = await authenticatorWith({ ...env(), AUTH_JWT_SECRET: TEST_JWT_SECRET });
      await expect(
        authenticator.authenticate({ token: await signToken({ sub: 'u1' }) }),
      ).rejects.toMatchObject(unauthorized);
    });
  });
});
