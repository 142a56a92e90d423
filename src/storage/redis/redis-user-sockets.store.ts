import type { Redis } from 'ioredis';
import type { UserSocketsStore } from '../stores.js';
import type { RedisKeys } from './redis-keys.js';
import { ADD_USER_SOCKET, RESTORE_USER_SOCKET } from './redis-user-sockets.scripts.js';

/**
 * A user's key outlives their last connection by this long when a node died with their sockets
 * (those entries are otherwise dropped at the user's next connection).
 */
const USER_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Each user's sockets on every node, for MAX_SOCKETS_PER_USER and for the pending notifications
 * (which nodes offer a user what they have pending). A socket is registered with its
 * node, and counts only while that node heartbeats in the presence store: the sockets of a node
 * that died without a goodbye stop counting once it is `nodeTimeoutMs` silent.
 */
export class RedisUserSocketsStore implements UserSocketsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly nodeTimeoutMs: number,
  ) {}

  async add(userId: string, socketId: string, max: number): Promise<string[]> {
    return (await ADD_USER_SOCKET.run(
      this.redis,
      [this.keys.userSockets(userId), this.keys.presenceNodes],
      [socketId, this.nodeId, max, this.nodeTimeoutMs, USER_KEY_TTL_MS],
    )) as string[];
  }

  async restore(userId: string, socketId: string): Promise<void> {
    await RESTORE_USER_SOCKET.run(
      this.redis,
      [this.keys.userSockets(userId)],
      [socketId, this.nodeId, USER_KEY_TTL_MS],
    );
  }

  async remove(userId: string, socketId: string): Promise<void> {
    await this.redis.zrem(this.keys.userSockets(userId), `${socketId}@${this.nodeId}`);
  }
}
