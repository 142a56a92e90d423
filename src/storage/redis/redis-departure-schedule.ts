import type { RedisCommands } from './redis-client.js';
import type { DepartureOptions, DepartureSchedule, DueDeparture } from '../departures.js';
import { CLAIM_DUE_DEPARTURES } from './redis-departures.scripts.js';
import type { RedisKeys } from './redis-keys.js';

/** How many sockets of dead nodes one claim takes out at most, so that Redis is never long busy. */
const REAP_BATCH = 500;

/**
 * The departures of every node, in Redis beside presence (see redis-departures.scripts.ts). Any
 * node claims what is due: the script takes each departure out before it answers, so of nodes
 * claiming at once exactly one gets it.
 */
export class RedisDepartureSchedule implements DepartureSchedule {
  constructor(
    private readonly redis: RedisCommands,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly nodeTimeoutMs: number,
    private readonly options: DepartureOptions,
  ) {}

  async claimDue(now: number, limit: number): Promise<DueDeparture[]> {
    const claimed = (await CLAIM_DUE_DEPARTURES.run(
      this.redis,
      [this.keys.usersSlot],
      [
        this.keys.presencePrefix,
        this.keys.userSocketsPrefix,
        this.keys.socketsOfNodePrefix,
        this.keys.nodesWithSockets,
        now,
        limit,
        this.nodeTimeoutMs,
        REAP_BATCH,
        this.nodeId,
        this.options.delayMs,
      ],
    )) as string[];
    return claimed.map((json) => JSON.parse(json) as DueDeparture);
  }
}
