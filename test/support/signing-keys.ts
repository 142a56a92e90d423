import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, type JWK } from 'jose';

/** An identity provider's signing key: the private half signs, the public half verifies. */
export interface SigningKey {
  alg: string;
  kid: string;
  privateKey: KeyObject;
  /** The public key as PEM (SPKI), as AUTH_JWT_PUBLIC_KEY takes it. */
  publicKeyPem: string;
  /** The public key as a JWKS entry, with its `kid` and `alg`. */
  publicJwk: JWK;
}

/** A fresh key pair for `alg`; an RSA key also signs with the other RSA algorithms (PS256). */
export function signingKey(
  alg: 'RS256' | 'ES256' | 'EdDSA',
  kid: string = randomUUID(),
): SigningKey {
  const { privateKey, publicKey } = keyPairFor(alg);
  return {
    alg,
    kid,
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
  };
}

function keyPairFor(alg: 'RS256' | 'ES256' | 'EdDSA') {
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return generateKeyPairSync('ed25519');
}

export interface TokenOptions {
  issuer?: string;
  audience?: string;
  /** `exp` in seconds since the epoch, or a span such as '1h'; none when null. */
  expiresAt?: number | string | null;
}

/** A token as an identity provider issues it: signed with the key's algorithm and `kid`. */
export function issueToken(
  key: SigningKey,
  claims: Record<string, unknown>,
  { issuer, audience, expiresAt = '1h' }: TokenOptions = {},
): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuedAt();
  if (issuer !== undefined) jwt = jwt.setIssuer(issuer);
  if (audience !== undefined) jwt = jwt.setAudience(audience);
  if (expiresAt !== null) jwt = jwt.setExpirationTime(expiresAt);
  return jwt.sign(key.privateKey);
}

/** An `exp` (seconds since the epoch) `seconds` from now, for tokens that run out during a test. */
export function secondsFromNow(seconds: number): number {
  return Math.floor(Date.now() / 1000) + seconds;
}

/** A JWKS endpoint on a free loopback port, serving whichever keys a test sets; counts fetches. */
export class KeySetServer {
  private keys: SigningKey[] = [];
  fetches = 0;
  private readonly server: Server;
  private port = 0;

  private constructor() {
    this.server = createServer((_request, response) => {
      this.fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) }));
    });
  }

  static async start(keys: SigningKey[]): Promise<KeySetServer> {
    const endpoint = new KeySetServer();
    endpoint.serve(keys);
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    endpoint.port = (endpoint.server.address() as AddressInfo).port;
    return endpoint;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/.well-known/jwks.json`;
  }

  serve(keys: SigningKey[]): void {
    this.keys = keys;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
