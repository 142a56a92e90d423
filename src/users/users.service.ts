import { Injectable } from '@nestjs/common';
import { Delivery } from '../realtime/delivery.js';
import { SessionEnds } from '../realtime/session-ends.js';

/** What `session:ended` says to a kicked user when the caller gives no reason. */
export const DEFAULT_KICK_MESSAGE = 'the server ended this session';

/** What other backends do to a user as a whole, on every node. */
@Injectable()
export class UsersService {
  constructor(
    private readonly delivery: Delivery,
    private readonly sessionEnds: SessionEnds,
  ) {}

  /**
   * Ends every session of the user, on every node: each socket gets `session:ended` with the
   * reason `kicked` and is disconnected. Counted first: once ended, the sockets are gone.
   */
  async disconnect(userId: string, message = DEFAULT_KICK_MESSAGE): Promise<{ sockets: number }> {
    const sockets = await this.delivery.countSockets({ userId });
    this.sessionEnds.endSessions({ userId }, 'kicked', message);
    return { sockets };
  }
}
