import type { UserSocketsStore } from '../stores.js';

export class MemoryUserSocketsStore implements UserSocketsStore {
  /** user id → the user's socket ids, in connection order (a Set keeps insertion order). */
  private readonly users = new Map<string, Set<string>>();

  add(userId: string, socketId: string, max: number): Promise<string[]> {
    let sockets = this.users.get(userId);
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
    return Promise.resolve(replaced);
  }

  /** Nothing is ever lost in memory; a socket unknown to it is registered as the newest. */
  restore(userId: string, socketId: string): Promise<void> {
    const sockets = this.users.get(userId) ?? new Set();
    sockets.add(socketId);
    this.users.set(userId, sockets);
    return Promise.resolve();
  }

  remove(userId: string, socketId: string): Promise<void> {
    const sockets = this.users.get(userId);
    sockets?.delete(socketId);
    if (sockets?.size === 0) this.users.delete(userId);
    return Promise.resolve();
  }
}
