import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import type { Identity, User } from '@switchboard/contract';
import { JoinHook } from '../hooks/join-hook.js';
import { ADMIN_ROLE, Authenticator } from './authenticator.js';
import { GUEST_ID_PREFIX } from './identity-rules.js';

/** A user with the grants they hold, if any: one without roles or `rooms` holds none. */
export type Grantee = User & Partial<Pick<Identity, 'roles' | 'rooms'>>;

/** The socket asking to join, for the join hook: re-joining a room it is in never asks again. */
export interface JoiningSocket {
  id: string;
  alreadyIn(): boolean;
}

/** Rooms whose names start with it are joined only with a grant. */
export const PRIVATE_ROOM_PREFIX = 'private:';

/** A grant in a token's `rooms` claim that ends with it is a prefix of room names. */
const PREFIX_WILDCARD = '*';

/**
 * Who may enter which room: private rooms (all rooms with ROOMS_REQUIRE_GRANT) need the `admin`
 * role, a matching entry in the connection token's `rooms` claim, or a room token for this user and
 * this room. Each socket carries its own grants, so a node needs nothing from the others to check.
 */
@Injectable()
export class RoomGrants {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly config: AppConfig,
    private readonly joinHook: JoinHook,
  ) {}

  /**
   * Resolves when `user` may join `room`, with `roomToken` when the client gave one. Without a
   * grant, the join hook (when set) decides for `socket`; a socket already in the room was let in
   * before and is not asked again.
   */
  async assertMayJoin(
    user: Grantee,
    room: string,
    roomToken?: string,
    socket?: JoiningSocket,
  ): Promise<void> {
    if (!this.config.roomsRequireGrant && !room.startsWith(PRIVATE_ROOM_PREFIX)) return;
    const guest = user.id.startsWith(GUEST_ID_PREFIX);
    if (!guest) {
      if (user.roles?.includes(ADMIN_ROLE) || user.rooms?.some(grants(room))) return;
      if (roomToken !== undefined && (await this.roomTokenGrants(roomToken, user.id, room))) return;
    }
    if (socket !== undefined && this.joinHook.enabled) {
      if (socket.alreadyIn()) return;
      return this.joinHook.assertMayJoin({ id: user.id, name: user.name }, room, socket.id);
    }
    throw new AppError(
      'FORBIDDEN',
      guest ? 'guests may not join this room' : 'joining this room needs a grant',
    );
  }

  private async roomTokenGrants(token: string, userId: string, room: string): Promise<boolean> {
    try {
      const claims = await this.authenticator.verify(token);
      // Only a room token grants: a connection token (no `room` claim) of this user grants nothing.
      return claims.sub === userId && claims.room === room;
    } catch {
      return false; // a room token that does not verify grants nothing
    }
  }
}

/** Whether a `rooms` claim's entry grants `room`: its exact name, or a prefix ending in `*`. */
function grants(room: string): (grant: string) => boolean {
  return (grant) =>
    grant.endsWith(PREFIX_WILDCARD) ? room.startsWith(grant.slice(0, -1)) : grant === room;
}
