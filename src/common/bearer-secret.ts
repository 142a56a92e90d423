import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an `Authorization` header is `Bearer <secret>` for one of `secrets`. Both sides are
 * hashed to one length first, and every secret is compared (no early exit), so the comparison's
 * time says nothing of the secrets.
 */
export function bearerMatcher(
  secrets: readonly string[],
): (authorization: string | undefined) => boolean {
  const expected = secrets.map(digest);
  return (authorization) => {
    const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (presented === undefined) return false;
    const hashed = digest(presented);
    return expected.map((secret) => timingSafeEqual(hashed, secret)).includes(true);
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
