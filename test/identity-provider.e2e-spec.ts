import { SignJWT } from 'jose';
import { closeAllClients, connect, refusal } from './support/clients.js';
import { unsignedToken } from './support/identities.js';
import { startServer, useServer, type RunningServer } from './support/server.js';
import { issueToken, KeySetServer, secondsFromNow, signingKey } from './support/signing-keys.js';

const UNAUTHORIZED = { message: 'unauthorized', data: { code: 'UNAUTHORIZED' } };
const ISSUER = 'https://idp.example.com/';
const AUDIENCE = 'switchboard';

describe('tokens signed with an RS256 key given as PEM, with issuer and audience', () => {
  const idp = signingKey('RS256');
  const server = useServer({
    AUTH_JWT_PUBLIC_KEY: idp.publicKeyPem,
    AUTH_JWT_ISSUER: ISSUER,
    AUTH_JWT_AUDIENCE: AUDIENCE,
  });
  afterEach(() => closeAllClients());

  const fromIdp = (claims: Record<string, unknown>, options = {}) =>
    issueToken(idp, claims, { issuer: ISSUER, audience: AUDIENCE, ...options });

  it('welcomes the token’s subject under its name', async () => {
    const alice = await connect(server.url, {
      token: await fromIdp({ sub: 'user-42', name: 'Alice' }),
    });
    expect(alice.welcome.user).toEqual({ id: 'user-42', name: 'Alice' });
  });

  it.each([
    ['of another issuer', () => fromIdp({ sub: 'u1' }, { issuer: 'https://evil.example.com/' })],
    ['for another audience', () => fromIdp({ sub: 'u1' }, { audience: 'billing' })],
    ['that has expired', () => fromIdp({ sub: 'u1' }, { expiresAt: secondsFromNow(-60) })],
    ['signed by another key', () => issueToken(signingKey('RS256'), { sub: 'u1' })],
    [
      'signed with HS256 and the public key as the secret (algorithm confusion)',
      () =>
        new SignJWT({ sub: 'u1', roles: ['admin'], iss: ISSUER, aud: AUDIENCE })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(idp.publicKeyPem)),
    ],
    [
      'without a signature (alg: none)',
      () =>
        Promise.resolve(
          unsignedToken({ sub: 'u1', iss: ISSUER, aud: AUDIENCE, exp: secondsFromNow(3600) }),
        ),
    ],
  ])('refuses a token %s with connect_error "unauthorized"', async (_case, token) => {
    expect(await refusal(server.url, { token: await token() })).toMatchObject(UNAUTHORIZED);
  });
});

describe('tokens signed with ES256 keys served by a JWKS endpoint', () => {
  const first = signingKey('ES256');
  let endpoint: KeySetServer;
  let server: RunningServer;
  beforeAll(async () => {
    endpoint = await KeySetServer.start([first]);
    // No cooldown: the rotation below follows the first fetch by milliseconds.
    server = await startServer({ AUTH_JWKS_URL: endpoint.url, AUTH_JWKS_COOLDOWN_MS: '0' });
  });
  afterAll(async () => {
    await server?.close();
    await endpoint?.close();
  });
  afterEach(() => closeAllClients());

  it('welcomes the subject of a token whose kid the endpoint serves', async () => {
    const bob = await connect(server.url, {
      token: await issueToken(first, { sub: 'user-7', name: 'Bob' }),
    });
    expect(bob.welcome.user).toEqual({ id: 'user-7', name: 'Bob' });
  });

  it('accepts a token with a new kid once the endpoint serves the rotated key', async () => {
    await connect(server.url, { token: await issueToken(first, { sub: 'user-7' }) });
    const rotated = signingKey('ES256');
    const fetchesBefore = endpoint.fetches;
    endpoint.serve([first, rotated]);

    const carol = await connect(server.url, {
      token: await issueToken(rotated, { sub: 'user-8', name: 'Carol' }),
    });

    expect(carol.welcome.user).toEqual({ id: 'user-8', name: 'Carol' });
    expect(endpoint.fetches).toBe(fetchesBefore + 1);
  });

  it('refuses a token whose kid the endpoint does not serve', async () => {
    const token = await issueToken(signingKey('ES256'), { sub: 'user-9' });
    expect(await refusal(server.url, { token })).toMatchObject(UNAUTHORIZED);
  });
});
