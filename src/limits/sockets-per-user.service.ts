import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { User } from '@switchboard/contract';
import { SessionEnds } from '../realtime/session-ends.js';
import { USER_SOCKETS_STORE, type UserSocketsStore } from '../storage/stores.js';
import { PresenceEvents } from '../webhooks/presence-events.js';

const REPLACED_MESSAGE = 'replaced by a newer connection of the same user';

/**
 * MAX_SOCKETS_PER_USER, cluster-wide: a user's newest socket replaces their oldest beyond the
 * limit, which gets `session:ended { reason: "replaced" }` on whichever node holds it.
 */
@Injectable()
export class SocketsPerUserService {
  constructor(
    @Inject(USER_SOCKETS_STORE) private readonly userSockets: UserSocketsStore,
    private readonly sessionEnds: SessionEnds,
    private readonly config: AppConfig,
    private readonly presenceEvents: PresenceEvents,
  ) {}

  async connected(user: User, socketId: string): Promise<void> {
    const { replaced, online } = await this.userSockets.add(
      user,
      socketId,
      this.config.maxSocketsPerUser,
    );
    // Only ever true with webhooks on (the store schedules departures).
    if (online) this.presenceEvents.online(user);
    for (const oldest of replaced) {
      this.sessionEnds.endSessions({ socketId: oldest }, 'replaced', REPLACED_MESSAGE);
    }
  }

  disconnected(user: User, socketId: string): Promise<void> {
    return this.userSockets.remove(user, socketId);
  }
}
