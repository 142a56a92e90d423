import { Injectable } from '@nestjs/common';
import type { User } from '@switchboard/contract';
import type { DueDeparture, JoinNews } from '../storage/departures.js';
import { Webhooks } from './webhooks.js';

/**
 * The presence events of docs/webhooks.md ("Presence events"), from what the stores decided in
 * the step that changed presence: arrivals here as they happen, departures once claimed after the
 * delay (see DepartureClaimer). Each event goes in its room's partition, else its user's, in the
 * order the node saw it, which is the order the room's members saw `room:joined` / `room:left`.
 */
@Injectable()
export class PresenceEvents {
  /** member.left with reason `leave` is told at once; read on every leave, so kept as a flag. */
  readonly wantsLeaves: boolean;

  constructor(private readonly webhooks: Webhooks) {
    this.wantsLeaves = webhooks.wants('member.left');
  }

  /** A join the store reported `news` for; a room's occupation comes before its first member. */
  joined(room: string, user: User, news: JoinNews): void {
    const key = roomKey(room);
    if (news.roomOccupied && this.webhooks.wants('room.occupied')) {
      this.webhooks.record('room.occupied', { room }, key);
    }
    if (news.memberJoined && this.webhooks.wants('member.joined')) {
      this.webhooks.record('member.joined', { room, user: publicUserOf(user) }, key);
    }
  }

  /** A user who stopped being present in a room by leaving it (not by a disconnection). */
  left(room: string, user: User): void {
    if (!this.wantsLeaves) return;
    this.webhooks.record(
      'member.left',
      { room, user: publicUserOf(user), reason: 'leave' },
      roomKey(room),
    );
  }

  /** A user's first socket anywhere, with no departure of theirs pending. */
  online(user: User): void {
    if (!this.webhooks.wants('user.online')) return;
    this.webhooks.record('user.online', { user: publicUserOf(user) }, userKey(user.id));
  }

  /** A departure whose delay passed while its subject stayed absent. */
  departed(departure: DueDeparture): void {
    switch (departure.kind) {
      case 'user':
        this.webhooks.record(
          'user.offline',
          { user: publicUserOf(departure.user), lastSeen: departure.lastSeen },
          userKey(departure.user.id),
        );
        return;
      case 'member':
        this.webhooks.record(
          'member.left',
          { room: departure.room, user: publicUserOf(departure.user), reason: 'disconnect' },
          roomKey(departure.room),
        );
        return;
      case 'room':
        this.webhooks.record('room.vacated', { room: departure.room }, roomKey(departure.room));
    }
  }
}

const roomKey = (room: string) => `room:${room}`;
const userKey = (userId: string) => `user:${userId}`;

/** Only the contract's fields: an identity also carries roles. */
function publicUserOf(user: User): User {
  return { id: user.id, name: user.name };
}
