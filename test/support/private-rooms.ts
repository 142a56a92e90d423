import type { User } from '@switchboard/contract';
import { collect, ok, request, type TestClient } from './clients.js';
import { connectWithToken, uniqueId, type Claims } from './identities.js';
import { caughtUp, sortedById } from './rooms.js';
import { signToken } from './tokens.js';

/** A private room's name that no other test uses. */
export function privateRoom(name: string): string {
  return `private:${uniqueId(name)}`;
}

/** A signed-in user of its own with these grants (`rooms`, `roles`). */
export function connectGranted(
  url: string,
  name: string,
  grants: Omit<Claims, 'sub' | 'name'> = {},
): Promise<TestClient> {
  return connectWithToken(url, { sub: uniqueId(name.toLowerCase()), name, ...grants });
}

/** A room token as the application's backend issues it: this user may enter this room. */
export function roomTokenFor(
  userId: string,
  room: string,
  expiresIn: string | number = '5m',
): Promise<string> {
  return signToken({ sub: userId, room }, { expiresIn });
}

/** The room's members as `member` sees them. */
export async function membersSeenBy(member: TestClient, room: string): Promise<User[]> {
  return sortedById((await ok<{ members: User[] }>(member, 'room:members', { room })).members);
}

/**
 * The reply to `joiner`'s `room:join` with `payload`, and whether `member` (in the room already)
 * heard of it and saw the members change: a refused join must tell nobody and change nothing.
 */
export async function joinSeenBy(
  member: TestClient,
  joiner: TestClient,
  payload: Record<string, unknown>,
): Promise<{ reply: unknown; announced: unknown[]; members: User[] }> {
  const room = payload.room as string;
  const announced = collect(member, 'room:joined');
  const reply = await request(joiner, 'room:join', payload);
  // One connection delivers in order: a room:joined sent for this join comes before the ping's reply.
  await caughtUp(member);
  return { reply, announced, members: await membersSeenBy(member, room) };
}
