import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { ServerEvents, type Identity, type SessionExpiring } from '@switchboard/contract';
import { Delivery } from '../realtime/delivery.js';
import { SessionEnds } from '../realtime/session-ends.js';
import { Authenticator } from './authenticator.js';

/** How long before its token's `exp` a socket is told, so that its client can refresh in time. */
export const EXPIRY_NOTICE_MS = 60_000;

/** setTimeout's longest delay (about 24.8 days): a longer one would fire at once. */
const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

export const TOKEN_EXPIRED_MESSAGE = 'the token has expired: connect again with a new token';

/**
 * A socket that connected with a token lives no longer than the token: it is told before `exp`,
 * may refresh the token, and is disconnected at `exp` otherwise. One timer per socket at most,
 * set when it connects or refreshes and cleared when it goes, so that no event pays for it.
 */
@Injectable()
export class SessionLifetime {
  /** Every connected socket of this node, with its pending timer when its token expires. */
  private readonly timers = new Map<string, NodeJS.Timeout | undefined>();

  constructor(
    private readonly authenticator: Authenticator,
    private readonly delivery: Delivery,
    private readonly sessionEnds: SessionEnds,
  ) {}

  began(socketId: string, user: Identity): void {
    this.timers.set(socketId, undefined);
    this.schedule(socketId, user.expiresAt);
  }

  ended(socketId: string): void {
    clearTimeout(this.timers.get(socketId));
    this.timers.delete(socketId);
  }

  /**
   * The identity that a new token gives the socket of `user`, whose lifetime is now the new
   * token's. UNAUTHORIZED for a token that does not verify, FORBIDDEN for another user's.
   */
  async refresh(socketId: string, user: Identity, token: string): Promise<Identity> {
    const refreshed = await this.authenticator.identityOf(token);
    if (refreshed.id !== user.id) {
      throw new AppError('FORBIDDEN', 'the token is for another user');
    }
    // The socket may have gone while the token was verified: nothing to schedule then.
    if (this.timers.has(socketId)) this.schedule(socketId, refreshed.expiresAt);
    return refreshed;
  }

  private schedule(socketId: string, expiresAt: number | undefined): void {
    clearTimeout(this.timers.get(socketId));
    this.timers.set(socketId, undefined);
    if (expiresAt === undefined) return;
    const end = () => this.expire(socketId);
    if (Date.now() >= expiresAt) {
      // Expired already (a recovered session of an old token): no notice, no time to refresh.
      this.arm(socketId, expiresAt, end);
      return;
    }
    this.arm(socketId, expiresAt - EXPIRY_NOTICE_MS, () => {
      const expiring: SessionExpiring = { expiresAt };
      this.delivery.send({ socketId }, ServerEvents.sessionExpiring, expiring);
      this.arm(socketId, expiresAt, end);
    });
  }

  /** Runs `action` at `at` (at once when that has passed), in steps that setTimeout can take. */
  private arm(socketId: string, at: number, action: () => void): void {
    const delay = Math.min(Math.max(at - Date.now(), 0), LONGEST_TIMEOUT_MS);
    const timer = setTimeout(() => {
      if (Date.now() < at) this.arm(socketId, at, action);
      else action();
    }, delay);
    // Sockets are disconnected at shutdown; their timers alone must not keep the process up.
    timer.unref();
    this.timers.set(socketId, timer);
  }

  private expire(socketId: string): void {
    this.timers.set(socketId, undefined);
    this.sessionEnds.endSessions({ socketId }, 'token_expired', TOKEN_EXPIRED_MESSAGE);
  }
}
