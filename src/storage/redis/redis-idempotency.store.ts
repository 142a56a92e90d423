import type { RedisCommands } from './redis-client.js';
import type { IdempotencyClaim, IdempotencyStore, StoredAnswer } from '../stores.js';
import { LuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

/** What a claimed key holds until its answer replaces it: never the JSON of an answer. */
const PENDING = '';

/**
 * KEYS: the key. ARGV: the pending marker, how long it lasts (ms). Returns what the key held (an
 * answer's JSON or the marker), or nil when it was free and is now claimed. One script, because
 * `SET NX GET` needs Redis 7 and a GET after a refused `SET NX` could find the key just expired.
 */
const CLAIM = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`);

/** Answers under the deployment's prefix, each expiring on its own (Redis's PX). */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: RedisCommands,
    private readonly keys: RedisKeys,
  ) {}

  async claim(key: string, pendingMs: number): Promise<IdempotencyClaim> {
    const current = (await CLAIM.run(
      this.redis,
      [this.keys.idempotency(key)],
      [PENDING, pendingMs],
    )) as string | null;
    if (current === null) return { state: 'claimed' };
    if (current === PENDING) return { state: 'pending' };
    return { state: 'answered', answer: JSON.parse(current) as StoredAnswer };
  }

  async complete(key: string, answer: StoredAnswer, keepMs: number): Promise<void> {
    await this.redis.set(this.keys.idempotency(key), JSON.stringify(answer), 'PX', keepMs);
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.keys.idempotency(key));
  }
}
