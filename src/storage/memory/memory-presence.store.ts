import type { LeaveReason, User } from '@switchboard/contract';
import { departureSubject, type JoinNews } from '../departures.js';
import type {
  Departure,
  HeartbeatOutcome,
  JoinOutcome,
  PresenceChange,
  PresenceStore,
  PresentRoomsPage,
} from '../stores.js';
import type { MemoryDepartureSchedule } from './memory-departure-schedule.js';

interface Member {
  user: User;
  sockets: Set<string>;
}

export class MemoryPresenceStore implements PresenceStore {
  /** room → user id → the user's sockets in that room; a room with no member is removed. */
  private readonly rooms = new Map<string, Map<string, Member>>();
  private readonly socketRooms = new Map<string, Set<string>>();
  /** user id → the rooms where the user is present; a user present nowhere is removed. */
  private readonly userRooms = new Map<string, Set<string>>();

  /** `departureSchedule`: given when webhooks are on (see DepartureOptions). */
  constructor(private readonly departureSchedule?: MemoryDepartureSchedule) {}

  join(
    room: string,
    user: User,
    socketId: string,
    maxRoomsPerSocket: number,
  ): Promise<JoinOutcome> {
    const socketRooms = this.socketRooms.get(socketId);
    if (!socketRooms?.has(room) && (socketRooms?.size ?? 0) >= maxRoomsPerSocket) {
      return Promise.resolve({ socketAdded: false, userChanged: false, overLimit: true });
    }
    let members = this.rooms.get(room);
    const roomWasEmpty = members === undefined;
    if (!members) {
      members = new Map();
      this.rooms.set(room, members);
    }
    let member = members.get(user.id);
    const userChanged = member === undefined;
    if (!member) {
      member = { user: { id: user.id, name: user.name }, sockets: new Set() };
      members.set(user.id, member);
      let presentIn = this.userRooms.get(user.id);
      if (!presentIn) {
        presentIn = new Set();
        this.userRooms.set(user.id, presentIn);
      }
      presentIn.add(room);
    }
    const socketAdded = !member.sockets.has(socketId);
    member.sockets.add(socketId);
    let rooms = this.socketRooms.get(socketId);
    if (!rooms) {
      rooms = new Set();
      this.socketRooms.set(socketId, rooms);
    }
    rooms.add(room);
    const outcome: JoinOutcome = { socketAdded, userChanged, overLimit: false };
    if (this.departureSchedule)
      outcome.news = this.arrived(room, user.id, userChanged, roomWasEmpty);
    return Promise.resolve(outcome);
  }

  /** An arrival takes back its departure: then the backend hears neither. */
  private arrived(
    room: string,
    userId: string,
    userChanged: boolean,
    roomWasEmpty: boolean,
  ): JoinNews {
    const departures = this.departureSchedule!;
    if (!userChanged) return { roomOccupied: false, memberJoined: false };
    return {
      memberJoined: !departures.takeBack(departureSubject.member(room, userId)),
      roomOccupied: roomWasEmpty && !departures.takeBack(departureSubject.room(room)),
    };
  }

  leave(
    room: string,
    userId: string,
    socketId: string,
    reason: LeaveReason = 'leave',
  ): Promise<PresenceChange> {
    const members = this.rooms.get(room);
    const member = members?.get(userId);
    const socketRemoved = member?.sockets.delete(socketId) ?? false;
    const rooms = this.socketRooms.get(socketId);
    rooms?.delete(room);
    if (rooms?.size === 0) this.socketRooms.delete(socketId);
    const userChanged = socketRemoved && member!.sockets.size === 0;
    if (userChanged) {
      const { user } = member!;
      members!.delete(userId);
      if (reason === 'disconnect') {
        this.departureSchedule?.schedule(departureSubject.member(room, userId), {
          kind: 'member',
          room,
          user,
        });
      }
      if (members!.size === 0) {
        this.rooms.delete(room);
        this.departureSchedule?.schedule(departureSubject.room(room), { kind: 'room', room });
      }
      const presentIn = this.userRooms.get(userId);
      presentIn?.delete(room);
      if (presentIn?.size === 0) this.userRooms.delete(userId);
    }
    return Promise.resolve({ socketAdded: false, userChanged });
  }

  members(room: string): Promise<User[]> {
    const members = this.rooms.get(room);
    return Promise.resolve(members ? [...members.values()].map((member) => member.user) : []);
  }

  socketCount(room: string): Promise<number> {
    let sockets = 0;
    for (const member of this.rooms.get(room)?.values() ?? []) sockets += member.sockets.size;
    return Promise.resolve(sockets);
  }

  roomsOf(socketId: string): Promise<string[]> {
    return Promise.resolve([...(this.socketRooms.get(socketId) ?? [])]);
  }

  sharesRoom(userId: string, otherUserId: string): Promise<boolean> {
    for (const room of this.userRooms.get(userId) ?? []) {
      if (this.rooms.get(room)?.has(otherUserId)) return Promise.resolve(true);
    }
    return Promise.resolve(false);
  }

  /** Sorted at each call: cheap for the rooms one node holds, and no index to keep in step. */
  presentRooms(after: string | undefined, limit: number): Promise<PresentRoomsPage> {
    const names = [...this.rooms.keys()]
      .filter((room) => after === undefined || room > after)
      .sort()
      .slice(0, limit + 1);
    return Promise.resolve({
      rooms: names
        .slice(0, limit)
        .map((room) => ({ room, members: this.rooms.get(room)?.size ?? 0 })),
      more: names.length > limit,
    });
  }

  heartbeat(): Promise<HeartbeatOutcome> {
    return Promise.resolve('registered');
  }

  reapDeadNodes(): Promise<Departure[]> {
    return Promise.resolve([]);
  }
}
