import { randomBytes } from 'node:crypto';
import type { Adapter, BroadcastOptions, PrivateSessionId, Room, Session } from 'socket.io-adapter';
import { RingBuffer } from './memory/ring-buffer.js';

export type SessionToPersist = Parameters<Adapter['persistSession']>[0];

/** A broadcast as Socket.IO hands it to an adapter. */
export interface BroadcastPacket {
  type: number;
  id?: number;
  data: unknown[];
}

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

/** The bounds of a RecoveryLog. */
export interface RecoveryBounds {
  /** Socket.IO's `maxDisconnectionDuration`: how long a session and a packet stay recoverable. */
  maxDisconnectionMs: number;
  maxPackets: number;
  maxSessions?: number;
}

/**
 * What connection state recovery needs on one node: the sessions of the sockets that dropped, and
 * the broadcasts this node delivered since, bounded by age (as Socket.IO's own in-memory adapter)
 * and by count (which it is not: measured, +384 MB in 15 s of 4 800 messages/s into one room). A
 * packet costs O(1) to keep and to drop. A client whose session or last packet is gone comes back
 * with `recovered: false` and catches up with `room:join { after }`.
 *
 * It also counts the rooms that kept sessions were in, so that a node that receives only the
 * broadcasts of its rooms keeps receiving those of a room while a session may still come back
 * to it (`onReleased` says when the last such session goes).
 */
export class RecoveryLog {
  private readonly sessions = new Map<
    PrivateSessionId,
    SessionToPersist & { disconnectedAt: number }
  >();
  private readonly packets: RingBuffer<StoredPacket>;
  private readonly heldRooms = new Map<Room, number>();
  private readonly maxSessions: number;
  /** Packet ids: unique per log, so that an offset from another process never matches. */
  private readonly idPrefix = randomBytes(4).toString('hex');
  private sequence = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly bounds: RecoveryBounds,
    private readonly onReleased: (room: Room) => void = () => undefined,
  ) {
    this.packets = new RingBuffer(bounds.maxPackets);
    this.maxSessions = bounds.maxSessions ?? RECOVERY_SESSIONS_MAX;
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /** Whether a kept session was in `room` when it dropped. */
  holds(room: Room): boolean {
    return this.heldRooms.has(room);
  }

  persist(session: SessionToPersist): void {
    // Taken out first, so that the Map stays in order of disconnection.
    this.forget(session.pid);
    this.sessions.set(session.pid, { ...session, disconnectedAt: Date.now() });
    for (const room of session.rooms) this.heldRooms.set(room, (this.heldRooms.get(room) ?? 0) + 1);
    if (this.sessions.size > this.maxSessions) {
      const [oldest] = this.sessions.keys();
      this.forget(oldest);
    }
  }

  /** The session with what it missed, or null (Socket.IO's "not recovered"). */
  restore(pid: PrivateSessionId, offset: string): Session | null {
    const threshold = Date.now() - this.bounds.maxDisconnectionMs;
    const session = this.sessions.get(pid);
    if (session === undefined) return null;
    // Restored or not, the socket will be in its rooms itself or have to join them again.
    this.forget(pid);
    const index = this.indexOf(offset);
    // Gone: an expired session, or its last packet dropped (by age or by count).
    if (
      index === -1 ||
      session.disconnectedAt < threshold ||
      this.packets.at(index)!.emittedAt < threshold
    ) {
      return null;
    }
    const missedPackets: unknown[][] = [];
    for (let at = index + 1; at < this.packets.length; at += 1) {
      const packet = this.packets.at(at)!;
      if (reaches(session.rooms, packet.opts)) missedPackets.push(packet.data);
    }
    return { ...session, missedPackets };
  }

  /**
   * Keeps a packet about to be delivered here, with its id at the end of its data, where the
   * client reads the offset of the last packet it got. As Socket.IO's adapter: packets awaiting
   * an acknowledgement and volatile ones are not replayed.
   */
  keep(packet: BroadcastPacket, opts: BroadcastOptions): void {
    if (
      packet.type !== EVENT_PACKET_TYPE ||
      packet.id !== undefined ||
      opts.flags?.volatile !== undefined
    ) {
      return;
    }
    const id = this.idPrefix + (this.sequence++).toString(36);
    packet.data.push(id);
    this.packets.push({ id, opts, data: packet.data, emittedAt: Date.now() });
  }

  /** The place of the packet with `id`, searched from the newest, where a returning client's is. */
  private indexOf(id: string): number {
    for (let index = this.packets.length - 1; index >= 0; index -= 1) {
      if (this.packets.at(index)!.id === id) return index;
    }
    return -1;
  }

  private forget(pid: PrivateSessionId): void {
    const session = this.sessions.get(pid);
    if (session === undefined) return;
    this.sessions.delete(pid);
    for (const room of session.rooms) {
      const count = this.heldRooms.get(room)! - 1;
      if (count > 0) {
        this.heldRooms.set(room, count);
        continue;
      }
      this.heldRooms.delete(room);
      this.onReleased(room);
    }
  }

  private sweep(now: number): void {
    const threshold = now - this.bounds.maxDisconnectionMs;
    for (const [pid, session] of this.sessions) {
      if (session.disconnectedAt < threshold) this.forget(pid);
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
