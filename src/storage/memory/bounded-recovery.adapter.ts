import { randomBytes } from 'node:crypto';
import type { Namespace } from 'socket.io';
import {
  Adapter,
  type BroadcastOptions,
  type PrivateSessionId,
  type Room,
  type Session,
} from 'socket.io-adapter';
import { RingBuffer } from './ring-buffer.js';

type SessionToPersist = Parameters<Adapter['persistSession']>[0];

interface StoredPacket {
  id: string;
  opts: BroadcastOptions;
  data: unknown[];
  emittedAt: number;
}

/** Socket.IO's packet type of an event: the only packets recovery replays. */
const EVENT_PACKET_TYPE = 2;
/**
 * Sessions of disconnected sockets kept at most (each a socket's id, rooms and data); past it the
 * oldest goes first. Without it, only the two-minute window bounds them.
 */
export const RECOVERY_SESSIONS_MAX = 100_000;
/** Expired sessions and packets are swept this often, as Socket.IO's own adapter does. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Socket.IO's in-memory SessionAwareAdapter (socket.io-adapter 2.5), with the broadcasts kept for
 * connection state recovery bounded by count as well as by age. That adapter keeps every broadcast
 * for its two-minute window in a private array trimmed by age only (measured: +384 MB in 15 s of
 * 4 800 messages/s into one room); a subclass could not trim that array without an O(n) shift per
 * packet or reaching into its private state, so this is its ~60 lines over a ring: a packet costs
 * O(1) to keep and to drop. A client whose last packet has been dropped comes back with
 * `recovered: false` and catches up with `room:join { after }`.
 */
export class BoundedRecoveryAdapter extends Adapter {
  private readonly sessions = new Map<
    PrivateSessionId,
    SessionToPersist & { disconnectedAt: number }
  >();
  private readonly packets: RingBuffer<StoredPacket>;
  private readonly maxDisconnectionDuration: number;
  /** Packet ids: unique per adapter, so that an offset from another process never matches. */
  private readonly idPrefix = randomBytes(4).toString('hex');
  private sequence = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    nsp: Namespace,
    maxPackets: number,
    private readonly maxSessions = RECOVERY_SESSIONS_MAX,
  ) {
    super(nsp);
    this.packets = new RingBuffer(maxPackets);
    // Socket.IO fills in the recovery options' defaults before it creates the adapter.
    this.maxDisconnectionDuration =
      nsp.server._opts.connectionStateRecovery?.maxDisconnectionDuration ?? 0;
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
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
    clearInterval(this.sweeper);
  }

  override persistSession(session: SessionToPersist): void {
    // Taken out first, so that the Map stays in order of disconnection.
    this.sessions.delete(session.pid);
    this.sessions.set(session.pid, { ...session, disconnectedAt: Date.now() });
    if (this.sessions.size > this.maxSessions) {
      const [oldest] = this.sessions.keys();
      this.sessions.delete(oldest);
    }
  }

  override restoreSession(pid: PrivateSessionId, offset: string): Promise<Session> {
    const threshold = Date.now() - this.maxDisconnectionDuration;
    const session = this.sessions.get(pid);
    if (session !== undefined && session.disconnectedAt < threshold) this.sessions.delete(pid);
    const index = session === undefined ? -1 : this.indexOf(offset);
    // Gone: an expired session, or its last packet dropped (by age as Socket.IO does, or by count).
    // Socket.IO reads null as "not recovered", although the type does not say so.
    if (
      index === -1 ||
      session!.disconnectedAt < threshold ||
      this.packets.at(index)!.emittedAt < threshold
    ) {
      return Promise.resolve(null as unknown as Session);
    }
    const missedPackets: unknown[][] = [];
    for (let at = index + 1; at < this.packets.length; at += 1) {
      const packet = this.packets.at(at)!;
      if (reaches(session!.rooms, packet.opts)) missedPackets.push(packet.data);
    }
    return Promise.resolve({ ...session!, missedPackets });
  }

  override broadcast(
    packet: { type: number; id?: number; data: unknown[] },
    opts: BroadcastOptions,
  ) {
    // As Socket.IO's adapter: packets awaiting an acknowledgement and volatile ones are not replayed.
    if (
      packet.type === EVENT_PACKET_TYPE &&
      packet.id === undefined &&
      opts.flags?.volatile === undefined
    ) {
      const id = this.idPrefix + (this.sequence++).toString(36);
      // The client reads the offset of the last packet it got from the end of the event's data.
      packet.data.push(id);
      this.packets.push({ id, opts, data: packet.data, emittedAt: Date.now() });
    }
    super.broadcast(packet, opts);
  }

  /** The place of the packet with `id`, searched from the newest, where a returning client's is. */
  private indexOf(id: string): number {
    for (let index = this.packets.length - 1; index >= 0; index -= 1) {
      if (this.packets.at(index)!.id === id) return index;
    }
    return -1;
  }

  private sweep(now: number): void {
    const threshold = now - this.maxDisconnectionDuration;
    for (const [pid, session] of this.sessions) {
      if (session.disconnectedAt < threshold) this.sessions.delete(pid);
    }
    while (this.packets.length > 0 && this.packets.at(0)!.emittedAt < threshold) {
      this.packets.shift();
    }
  }
}

function reaches(sessionRooms: Room[], opts: BroadcastOptions): boolean {
  const included = opts.rooms.size === 0 || sessionRooms.some((room) => opts.rooms.has(room));
  return included && sessionRooms.every((room) => !opts.except?.has(room));
}
