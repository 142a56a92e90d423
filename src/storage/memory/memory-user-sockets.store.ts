import type { User } from '@switchboard/contract';
import { departureSubject } from '../departures.js';
import type { SocketAdded, UserSocketsStore } from '../stores.js';
import type { MemoryDepartureSchedule } from './memory-departure-schedule.js';

export class MemoryUserSocketsStore implements UserSocketsStore {
  /** user id → the user's socket ids, in connection order (a Set keeps insertion order). */
  private readonly users = new Map<string, Set<string>>();

  /** `departures`: given when webhooks are on (see DepartureOptions). */
  constructor(private readonly departures?: MemoryDepartureSchedule) {}

  add(user: User, socketId: string, max: number): Promise<SocketAdded> {
    const userId = user.id;
    let sockets = this.users.get(userId);
    const online =
      sockets === undefined &&
      this.departures !== undefined &&
      !this.departures.takeBack(departureSubject.user(userId));
    if (!sockets) {
      sockets = new Set();
      this.users.set(userId, sockets);
    }
    // Taken out first, so that a socket registered again (a recovered one) becomes the newest.
    sockets.delete(socketId);
    sockets.add(socketId);
    const replaced: string[] = [];
    for (const oldest of sockets) {
      if (sockets.size - replaced.length <= max) break;
      replaced.push(oldest);
    }
    for (const socket of replaced) sockets.delete(socket);
    return Promise.resolve({ replaced, online });
  }

  /** Nothing is ever lost in memory; a socket unknown to it is registered as the newest. */
  restore(user: User, socketId: string): Promise<void> {
    const sockets = this.users.get(user.id) ?? new Set();
    sockets.add(socketId);
    this.users.set(user.id, sockets);
    return Promise.resolve();
  }

  remove(user: User, socketId: string): Promise<void> {
    const sockets = this.users.get(user.id);
    if (!sockets?.delete(socketId) || sockets.size > 0) return Promise.resolve();
    this.users.delete(user.id);
    this.departures?.schedule(departureSubject.user(user.id), {
      kind: 'user',
      user: { id: user.id, name: user.name },
      lastSeen: this.departures.now(),
    });
    return Promise.resolve();
  }
}
