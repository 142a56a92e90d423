import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

/**
 * A key that may verify a token, with the only algorithms it may verify. Naming them per key is
 * what refuses algorithm confusion: an HS256 token never meets a public key, whatever its header
 * says, and `none` is nobody's algorithm.
 */
export interface VerificationKey {
  key: Uint8Array | KeyObject | JWTVerifyGetKey;
  algorithms: string[];
}

const SPKI_LABEL = '-----BEGIN PUBLIC KEY-----';

const RSA = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const RSA_PSS = ['PS256', 'PS384', 'PS512'];
const ECDSA_BY_CURVE: Record<string, string[]> = {
  prime256v1: ['ES256'],
  secp384r1: ['ES384'],
  secp521r1: ['ES512'],
};
const EDDSA = ['EdDSA', 'Ed25519'];

/** What a key set's keys may sign with: every public-key algorithm; jose matches each to its key. */
const PUBLIC_KEY_ALGORITHMS = [...RSA, 'ES256', 'ES384', 'ES512', ...EDDSA];

export function secretKey(secret: string): VerificationKey {
  return { key: new TextEncoder().encode(secret), algorithms: ['HS256'] };
}

/**
 * A PEM public key (SPKI) and the algorithms of its own family. Environment files often hold a PEM
 * on one line with `\n` for its line breaks, so those are read as line breaks. Throws a readable
 * Error for anything that is not an RSA, EC (P-256, P-384, P-521) or Ed25519 public key.
 */
export function publicKey(pem: string): VerificationKey {
  const key = spkiKeyOf(pem.replace(/\\n/g, '\n'));
  if (key === undefined) throw new Error(`is not a PEM public key (${SPKI_LABEL})`);
  const algorithms = algorithmsOf(key);
  if (algorithms.length === 0) {
    throw new Error('must be an RSA, EC (P-256, P-384, P-521) or Ed25519 public key');
  }
  return { key, algorithms };
}

/**
 * A remote key set: fetched when first needed, cached, and fetched again for a `kid` it does not
 * hold, at most once per `cooldownMs` (so that tokens with made-up `kid`s cannot make the server
 * hammer the identity provider).
 */
export function remoteKeySet(url: string, cooldownMs: number): VerificationKey {
  return {
    key: createRemoteJWKSet(new URL(url), { cooldownDuration: cooldownMs }),
    algorithms: PUBLIC_KEY_ALGORITHMS,
  };
}

function algorithmsOf(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return RSA;
    case 'rsa-pss':
      return RSA_PSS;
    case 'ec':
      return ECDSA_BY_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? [];
    case 'ed25519':
      return EDDSA;
    default:
      return [];
  }
}

/** Only SPKI: Node would also take a private key or a certificate, and derive a public key. */
function spkiKeyOf(text: string): KeyObject | undefined {
  if (!text.includes(SPKI_LABEL)) return undefined;
  try {
    return createPublicKey({ key: text, format: 'pem' });
  } catch {
    return undefined;
  }
}
