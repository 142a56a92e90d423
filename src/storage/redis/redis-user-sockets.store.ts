import type { RedisCommands } from './redis-client.js';
import type { User } from '@switchboard/contract';
import type { DepartureOptions } from '../departures.js';
import type { SocketAdded, UserSocketsStore } from '../stores.js';
import { REMOVE_USER_SOCKET_DEPARTING } from './redis-departures.scripts.js';
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
 * that died without a goodbye stop counting once it is `nodeTimeoutMs` silent. With `departures`
 * (webhooks on), a user's first and last socket anywhere are what `user.online` and
 * `user.offline` tell (see RedisDepartureSchedule).
 */
export class RedisUserSocketsStore implements UserSocketsStore {
  constructor(
    private readonly redis: RedisCommands,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly nodeTimeoutMs: number,
    private readonly departures?: DepartureOptions,
  ) {}

  async add(user: User, socketId: string, max: number): Promise<SocketAdded> {
    const args: (string | number)[] = [
      socketId,
      this.nodeId,
      max,
      this.nodeTimeoutMs,
      USER_KEY_TTL_MS,
    ];
    if (this.departures) {
      args.push(
        this.departures.delayMs,
        this.keys.presencePrefix,
        user.id,
        userJsonOf(user),
        this.keys.socketsOfNodePrefix,
        this.keys.nodesWithSockets,
      );
    }
    const [online, ...replaced] = (await ADD_USER_SOCKET.run(
      this.redis,
      [this.keys.userSockets(user.id), this.keys.presenceNodes],
      args,
    )) as [number, ...string[]];
    return { replaced, online: online === 1 };
  }

  async restore(user: User, socketId: string): Promise<void> {
    const args: (string | number)[] = [socketId, this.nodeId, USER_KEY_TTL_MS];
    if (this.departures) {
      args.push(
        this.keys.presencePrefix,
        user.id,
        userJsonOf(user),
        this.keys.socketsOfNodePrefix,
        this.keys.nodesWithSockets,
      );
    }
    await RESTORE_USER_SOCKET.run(this.redis, [this.keys.userSockets(user.id)], args);
  }

  async remove(user: User, socketId: string): Promise<void> {
    const key = this.keys.userSockets(user.id);
    if (!this.departures) {
      await this.redis.zrem(key, `${socketId}@${this.nodeId}`);
      return;
    }
    await REMOVE_USER_SOCKET_DEPARTING.run(
      this.redis,
      [key],
      [
        socketId,
        this.nodeId,
        this.keys.presencePrefix,
        user.id,
        userJsonOf(user),
        this.keys.socketsOfNode(this.nodeId),
        this.departures.delayMs,
      ],
    );
  }
}

/** Only the contract's fields: an identity also carries roles. */
export function userJsonOf(user: User): string {
  return JSON.stringify({ id: user.id, name: user.name });
}
