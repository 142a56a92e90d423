import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import type { Identity, User } from '@switchboard/contract';
import { ADMIN_ROLE, Authenticator } from './authenticator.js';
import { GUEST_ID_PREFIX } from './identity-rules.js';

/** A user with the grants they hold, if any: one without roles or `rooms` holds none. */
export type Grantee = User & Partial<Pick<Identity, 'roles' | 'rooms'>>;

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
  ) {}

  /** Resolves when `user` may join `room`, with `roomToken` when the client gave one. */
  async assertMayJoin(user: Grantee, room: string, roomToken?: string): Promise<void> {
    if (!this.config.roomsRequireGrant && !room.startsWith(PRIVATE_ROOM_PREFIX)) return;
    if (user.id.startsWith(GUEST_ID_PREFIX)) {
      throw new AppError('FORBIDDEN', 'guests may not join this room');
    }
    if (user.roles?.includes(ADMIN_ROLE) || user.rooms?.some(grants(room))) return;
    if (roomToken !== undefined && (await this.roomTokenGrants(roomToken, user.id, room))) return;
    throw new AppError('FORBIDDEN', 'joining this room needs a grant');
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
