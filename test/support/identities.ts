import { randomUUID } from 'node:crypto';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import { connect, type TestClient } from './clients.js';
import { signToken } from './tokens.js';

export interface Claims {
  sub: string;
  name: string;
  roles?: string[];
  rooms?: string[];
}

/** A user id no other test uses, so that a user's pending notifications never leak between tests. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Connects with a valid HS256 token for `claims`, signed with the test secret. */
export async function connectWithToken(
  url: string,
  claims: Claims,
  options: Partial<ManagerOptions & SocketOptions> = {},
): Promise<TestClient> {
  return connect(url, { token: await signToken(claims) }, options);
}

/** A signed-in user of its own with the `admin` role, who may notify any user. */
export function connectAdmin(url: string): Promise<TestClient> {
  return connectWithToken(url, { sub: uniqueId('admin'), name: 'Admin', roles: ['admin'] });
}

/** A JWT that names no algorithm and carries no signature, built by hand as an attacker would. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
