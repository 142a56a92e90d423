import { randomUUID } from 'node:crypto';
import type { RedisCommands } from './redis-client.js';
import type { LeaveReason, User } from '@switchboard/contract';
import type { DepartureOptions } from '../departures.js';
import type {
  Departure,
  HeartbeatOutcome,
  JoinOutcome,
  PresenceChange,
  PresenceStore,
  PresentRoomsPage,
} from '../stores.js';
import type { RedisKeys } from './redis-keys.js';
import {
  HEARTBEAT,
  JOIN_ROOM,
  LEAVE,
  PRESENT_ROOMS,
  REAP_DEAD_NODES,
  SHARES_ROOM,
} from './redis-presence.scripts.js';

/** How many sockets one reaping step handles, so that a large dead node never blocks Redis for long. */
const REAP_BATCH = 500;

/** Presence shared by every node, each socket registered under the node that holds it. */
export class RedisPresenceStore implements PresenceStore {
  private readonly prefix: string;
  /** The key that routes the scripts to the users' hash slot on a Redis Cluster. */
  private readonly usersSlot: string;
  /** The store's epoch at the last heartbeat (see HEARTBEAT). */
  private epoch?: string;

  constructor(
    private readonly redis: RedisCommands,
    keys: RedisKeys,
    private readonly nodeId: string,
    /** Given when webhooks are on: presence changes schedule and take back departures. */
    private readonly departures?: DepartureOptions,
  ) {
    this.prefix = keys.presencePrefix;
    this.usersSlot = keys.usersSlot;
    this.departureArgs = departures ? [departures.delayMs] : [];
  }

  /** The scripts' trailing arguments that turn departures on; none when they are off. */
  private readonly departureArgs: number[];

  async join(
    room: string,
    user: User,
    socketId: string,
    maxRoomsPerSocket: number,
  ): Promise<JoinOutcome> {
    const userJson = JSON.stringify({ id: user.id, name: user.name });
    const limit = Number.isFinite(maxRoomsPerSocket) ? maxRoomsPerSocket : Number.MAX_SAFE_INTEGER;
    const [socketAdded, userChanged, overLimit, roomOccupied, memberJoined] = (await JOIN_ROOM.run(
      this.redis,
      [this.usersSlot],
      [this.prefix, room, user.id, userJson, socketId, limit, this.nodeId, ...this.departureArgs],
    )) as [number, number, number, number, number];
    const outcome: JoinOutcome = {
      socketAdded: socketAdded === 1,
      userChanged: userChanged === 1,
      overLimit: overLimit === 1,
    };
    if (this.departures) {
      outcome.news = { roomOccupied: roomOccupied === 1, memberJoined: memberJoined === 1 };
    }
    return outcome;
  }

  async leave(
    room: string,
    userId: string,
    socketId: string,
    reason: LeaveReason = 'leave',
  ): Promise<PresenceChange> {
    const userChanged = await LEAVE.run(
      this.redis,
      [this.usersSlot],
      this.departures
        ? [this.prefix, room, userId, socketId, this.nodeId, this.departures.delayMs, reason]
        : [this.prefix, room, userId, socketId, this.nodeId],
    );
    return { socketAdded: false, userChanged: userChanged === 1 };
  }

  async members(room: string): Promise<User[]> {
    const users = await this.redis.hvals(`${this.prefix}users:${room}`);
    return users.map((json) => JSON.parse(json) as User);
  }

  /** The sum of the room's per-user socket counts, which the join and leave scripts keep. */
  async socketCount(room: string): Promise<number> {
    const counts = await this.redis.hvals(`${this.prefix}counts:${room}`);
    return counts.reduce((sockets, count) => sockets + Number(count), 0);
  }

  roomsOf(socketId: string): Promise<string[]> {
    return this.redis.smembers(`${this.prefix}socket:${socketId}`);
  }

  async sharesRoom(userId: string, otherUserId: string): Promise<boolean> {
    return (
      (await SHARES_ROOM.run(this.redis, [this.usersSlot], [this.prefix, userId, otherUserId])) ===
      1
    );
  }

  async presentRooms(after: string | undefined, limit: number): Promise<PresentRoomsPage> {
    const found = (await PRESENT_ROOMS.run(
      this.redis,
      [this.usersSlot],
      [this.prefix, after ?? '', limit],
    )) as (string | number)[];
    const rooms: PresentRoomsPage['rooms'] = [];
    for (let index = 0; index < found.length; index += 2) {
      rooms.push({ room: String(found[index]), members: Number(found[index + 1]) });
    }
    return { rooms: rooms.slice(0, limit), more: rooms.length > limit };
  }

  async heartbeat(): Promise<HeartbeatOutcome> {
    const [added, epoch] = (await HEARTBEAT.run(
      this.redis,
      [this.usersSlot],
      [this.prefix, this.nodeId, randomUUID()],
    )) as [number, string];
    const knownEpoch = this.epoch;
    this.epoch = epoch;
    if (added === 0) return 'registered';
    return epoch === knownEpoch ? 'reaped' : 'lost';
  }

  async reapDeadNodes(timeoutMs: number): Promise<Departure[]> {
    const departures: Departure[] = [];
    for (;;) {
      const [more, ...reaped] = (await REAP_DEAD_NODES.run(
        this.redis,
        [this.usersSlot],
        [this.prefix, timeoutMs, REAP_BATCH, this.nodeId, ...this.departureArgs],
      )) as [number, ...string[]];
      for (let index = 0; index < reaped.length; index += 2) {
        departures.push({ room: reaped[index], user: JSON.parse(reaped[index + 1]) as User });
      }
      if (more === 0) return departures;
    }
  }
}
