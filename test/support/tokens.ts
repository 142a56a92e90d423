import { SignJWT } from 'jose';

export const TEST_JWT_SECRET = 'a-test-secret-of-at-least-32-chars!';

export function signToken(
  claims: { sub?: string; name?: string; roles?: string[]; rooms?: string[]; room?: string },
  {
    secret = TEST_JWT_SECRET,
    expiresIn = '1h',
  }: { secret?: string; expiresIn?: string | number } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
