import { Inject, Injectable } from '@nestjs/common';
import { ADMIN_ROLE } from '../auth/authenticator.js';
import { RoomGrants, type Grantee } from '../auth/room-grants.js';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import {
  ServerEvents,
  type Identity,
  type JoinResult,
  type LeaveReason,
  type RoomMembers,
  type User,
} from '@switchboard/contract';
import { Delivery } from '../realtime/delivery.js';
import { LocalSockets } from '../realtime/local-sockets.js';
import {
  HISTORY_STORE,
  PRESENCE_STORE,
  type Departure,
  type HistoryStore,
  type PresenceStore,
} from '../storage/stores.js';
import { PresenceEvents } from '../webhooks/presence-events.js';

/** How many missed messages a join returns at most; the rest come from `chat:history`. */
export const JOIN_MISSED_MAX = 100;

export interface PresentRooms {
  rooms: { room: string; members: number; lastOffset: number }[];
  cursor?: string;
}

/** Membership of sockets in rooms and the per-user presence that others see. */
@Injectable()
export class RoomsService {
  constructor(
    @Inject(PRESENCE_STORE) private readonly presence: PresenceStore,
    @Inject(HISTORY_STORE) private readonly history: HistoryStore,
    private readonly delivery: Delivery,
    private readonly localSockets: LocalSockets,
    private readonly config: AppConfig,
    private readonly grants: RoomGrants,
    private readonly presenceEvents: PresenceEvents,
  ) {}

  /** `roomToken` is the client's grant to a room that needs one (see RoomGrants). */
  async join(
    user: Grantee,
    socketId: string,
    room: string,
    after?: number,
    roomToken?: string,
  ): Promise<JoinResult> {
    // Checked at every join, before anything changes: a refused join tells nobody.
    await this.grants.assertMayJoin(user, room, roomToken, {
      id: socketId,
      alreadyIn: () => this.localSockets.isInRoom(socketId, room),
    });
    await this.enter(user, socketId, room, this.config.roomMaxPerSocket);
    const [members, lastOffset, missed] = await Promise.all([
      this.presence.members(room),
      this.history.lastOffset(room),
      after === undefined
        ? { messages: [], hasMore: false }
        : this.history.after(room, after, JOIN_MISSED_MAX),
    ]);
    return { room, members, lastOffset, missed: missed.messages, hasMore: missed.hasMore };
  }

  async leave(user: User, socketId: string, room: string): Promise<{ room: string }> {
    if (!this.localSockets.isInRoom(socketId, room)) {
      throw new AppError('NOT_FOUND', 'this socket is not in the room');
    }
    await this.exit(user, socketId, room, 'leave');
    return { room };
  }

  async members(socketId: string, room: string): Promise<RoomMembers> {
    this.assertMember(socketId, room);
    return this.membersOf(room);
  }

  /** Who is present in a room, whoever asks (the server API needs no membership). */
  async membersOf(room: string): Promise<RoomMembers> {
    return { room, members: await this.presence.members(room) };
  }

  /**
   * The rooms where users are present, by name, `limit` a page; `cursor` (from the page before)
   * pages on, and is set on a page when more rooms follow.
   */
  async presentRooms(limit: number, cursor?: string): Promise<PresentRooms> {
    const page = await this.presence.presentRooms(
      cursor === undefined ? undefined : roomOfCursor(cursor),
      limit,
    );
    const rooms = await Promise.all(
      page.rooms.map(async ({ room, members }) => ({
        room,
        members,
        lastOffset: await this.history.lastOffset(room),
      })),
    );
    const last = rooms.at(-1);
    return page.more && last !== undefined ? { rooms, cursor: cursorOf(last.room) } : { rooms };
  }

  /** The socket (of this node) is in the room, else FORBIDDEN. */
  assertMember(socketId: string, room: string): void {
    if (!this.localSockets.isInRoom(socketId, room)) {
      throw new AppError('FORBIDDEN', 'this socket is not in the room');
    }
  }

  /**
   * A user may address another one (a custom event, a notification) only while both are present,
   * on any node, in at least one common room; the admin role may address anyone. One store read
   * either way, and one refusal whether the other user exists, is online or not: it tells nothing.
   */
  async assertMayAddress(sender: Identity, userId: string): Promise<void> {
    if (sender.roles.includes(ADMIN_ROLE)) return;
    if (!(await this.presence.sharesRoom(sender.id, userId))) {
      throw new AppError('FORBIDDEN', 'only users present in a common room may address each other');
    }
  }

  /** Takes a gone socket out of every room it was in, telling those who stay. */
  async disconnected(user: User, socketId: string): Promise<void> {
    const rooms = await this.presence.roomsOf(socketId);
    await Promise.all(rooms.map((room) => this.exit(user, socketId, room, 'disconnect')));
  }

  /** Tells a room that a user of a dead node is gone (the surviving nodes removed their presence). */
  departed({ room, user }: Departure): void {
    this.delivery.send({ room }, ServerEvents.roomLeft, {
      room,
      user: publicUser(user),
      reason: 'disconnect' satisfies LeaveReason,
    });
  }

  /**
   * Restores the presence of a socket that is in these rooms already: one whose session Socket.IO
   * recovered (its presence was taken away when it dropped), or one whose presence the store lost.
   * `announce` tells the rooms of a user's return; without it nobody is told, for rooms that never
   * heard that the user left.
   */
  async recovered(
    user: User,
    socketId: string,
    rooms: Iterable<string>,
    announce = true,
  ): Promise<void> {
    // Already in these rooms before: the limit was checked when it joined them.
    await Promise.all(
      [...rooms].map((room) => this.enter(user, socketId, room, Infinity, announce)),
    );
  }

  private async enter(
    user: User,
    socketId: string,
    room: string,
    maxRoomsPerSocket: number,
    announce = true,
  ): Promise<void> {
    const change = await this.presence.join(room, user, socketId, maxRoomsPerSocket);
    if (change.overLimit) {
      throw new AppError('FORBIDDEN', `a socket may be in at most ${maxRoomsPerSocket} rooms`);
    }
    if (!change.socketAdded) return;
    const restoring = this.localSockets.isInRoom(socketId, room);
    try {
      // The join reads the room's offset next: from then on, every message must reach the socket.
      await this.localSockets.addToRoom(socketId, room);
    } catch (error) {
      // A socket restored into its room stays there: the room's channel is still wanted, and is
      // subscribed again (with what it missed) once Redis lets it. A new join is undone instead,
      // so that its retry, refused while Redis is away, joins anew.
      if (!restoring) {
        this.localSockets.removeFromRoom(socketId, room);
        await this.presence.leave(room, user.id, socketId, 'leave').catch(() => undefined);
        throw error;
      }
    }
    // Only with webhooks on; a presence the rooms never heard was lost is not news either.
    if (change.news && announce) this.presenceEvents.joined(room, user, change.news);
    if (change.userChanged && announce) {
      this.delivery.send(
        { room },
        ServerEvents.roomJoined,
        { room, user: publicUser(user) },
        { except: { socketId } },
      );
    }
  }

  private async exit(
    user: User,
    socketId: string,
    room: string,
    reason: LeaveReason,
  ): Promise<void> {
    const change = await this.presence.leave(room, user.id, socketId, reason);
    this.localSockets.removeFromRoom(socketId, room);
    if (change.userChanged) {
      // A disconnection's departure waits in the store for the delay; a leave is told now.
      if (reason === 'leave' && this.presenceEvents.wantsLeaves)
        this.presenceEvents.left(room, user);
      // Not to the leaving socket: a recovered session would otherwise replay its own departure.
      this.delivery.send(
        { room },
        ServerEvents.roomLeft,
        { room, user: publicUser(user), reason },
        { except: { socketId } },
      );
    }
  }
}

/** Only the contract's fields of a user go on the wire (an identity also carries roles). */
export function publicUser(user: User): User {
  return { id: user.id, name: user.name };
}

/**
 * A cursor names the last room of a page, encoded so that clients treat it as opaque: the order or
 * the encoding may change without breaking a client that only passes it back.
 */
function cursorOf(room: string): string {
  return Buffer.from(room).toString('base64url');
}

function roomOfCursor(cursor: string): string {
  const room = Buffer.from(cursor, 'base64url').toString();
  if (cursorOf(room) !== cursor) {
    throw AppError.validation([
      { field: 'cursor', problems: ['cursor is not one this server gave'] },
    ]);
  }
  return room;
}
