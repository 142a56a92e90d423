import type { Namespace } from 'socket.io';
import {
  Adapter,
  type BroadcastOptions,
  type PrivateSessionId,
  type Session,
} from 'socket.io-adapter';
import {
  RECOVERY_SESSIONS_MAX,
  RecoveryLog,
  type BroadcastPacket,
  type SessionToPersist,
} from '../recovery-log.js';

/**
 * Socket.IO's in-memory SessionAwareAdapter (socket.io-adapter 2.5), with the broadcasts kept for
 * connection state recovery bounded by count as well as by age (see RecoveryLog). That adapter
 * keeps every broadcast for its two-minute window in a private array trimmed by age only; a
 * subclass could not trim it without an O(n) shift per packet or reaching into its private state.
 */
export class BoundedRecoveryAdapter extends Adapter {
  private readonly recovery: RecoveryLog;

  constructor(nsp: Namespace, maxPackets: number, maxSessions = RECOVERY_SESSIONS_MAX) {
    super(nsp);
    this.recovery = new RecoveryLog({
      // Socket.IO fills in the recovery options' defaults before it creates the adapter.
      maxDisconnectionMs: nsp.server._opts.connectionStateRecovery?.maxDisconnectionDuration ?? 0,
      maxPackets,
      maxSessions,
    });
  }

  /** The adapter class that Socket.IO's `adapter` option takes, keeping at most `maxPackets`. */
  static keeping(maxPackets: number, maxSessions = RECOVERY_SESSIONS_MAX): typeof Adapter {
    return class extends BoundedRecoveryAdapter {
      constructor(nsp: Namespace) {
        super(nsp, maxPackets, maxSessions);
      }
    };
  }

  override close(): void {
    this.recovery.close();
  }

  override persistSession(session: SessionToPersist): void {
    this.recovery.persist(session);
  }

  override restoreSession(pid: PrivateSessionId, offset: string): Promise<Session> {
    // Socket.IO reads null as "not recovered", although the type does not say so.
    return Promise.resolve(this.recovery.restore(pid, offset) as Session);
  }

  override broadcast(packet: BroadcastPacket, opts: BroadcastOptions) {
    this.recovery.keep(packet, opts);
    super.broadcast(packet, opts);
  }
}
