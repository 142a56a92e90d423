import { createHash } from 'node:crypto';
import type { RedisCommands } from './redis-client.js';

/**
 * A Lua script run by its SHA1, sent in full only when Redis does not know it yet (after a
 * start or a restart of Redis), so that each call costs one short command.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisCommands, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /**
   * Runs the script by its source (Redis still caches it by SHA1): one command whatever Redis
   * knows, for callers whose commands must run in the order they were sent. After a NOSCRIPT, the
   * retry of `run` would let a command sent later, by this node or another, overtake it.
   */
  async runInOrder(
    client: RedisCommands,
    keys: string[],
    args: (string | number)[],
  ): Promise<unknown> {
    return client.eval(this.source, keys.length, ...keys, ...args);
  }
}
