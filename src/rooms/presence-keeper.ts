import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { LocalSockets } from '../realtime/local-sockets.js';
import { RedisOutageLog } from '../storage/redis/redis-outage-log.js';
import { NODE_TIMEOUT_MS, PRESENCE_STORE, type PresenceStore } from '../storage/stores.js';
import { RoomsService } from './rooms.service.js';

/** How often a node says it is alive, and looks for nodes that stopped saying so. */
export const PRESENCE_KEEPING_INTERVAL_MS = 2000;

/**
 * Keeps presence true across nodes: tells the others that this node is alive, registers this
 * node's presence again when it was given up for dead or Redis lost it, and removes the presence
 * of nodes that died without a goodbye. Only with several nodes (Redis).
 */
@Injectable()
export class PresenceKeeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  /**
   * When this node's last round failed. After an outage of Redis every node's last heartbeat is
   * old: none reaps before the others have had a full timeout to say they are alive again.
   */
  private lastFailureAt = -Infinity;

  constructor(
    @Inject(PRESENCE_STORE) private readonly presence: PresenceStore,
    private readonly rooms: RoomsService,
    private readonly localSockets: LocalSockets,
    private readonly config: AppConfig,
    // Present with Redis, the only store that the keeper has work for.
    @Optional() private readonly outageLog?: RedisOutageLog,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.redis === undefined) return;
    this.timer = setInterval(() => void this.keep(), PRESENCE_KEEPING_INTERVAL_MS);
    await this.keep();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * One round; never rejects. A failure goes to the outage log with those of Redis's clients, so
   * that an outage makes one line about Redis, not one more about presence.
   */
  async keep(): Promise<void> {
    try {
      await this.keepNow();
      this.outageLog?.working('presence');
    } catch (error) {
      this.outageLog?.failing('presence', error);
    }
  }

  /**
   * One round now (or the one under way): resolves once this node's presence is registered and
   * dead nodes are reaped, rejects when the store does not answer. Readiness asks this, so that a
   * node is not ready until its presence is back after Redis lost it.
   */
  keepNow(): Promise<void> {
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  private async runRound(): Promise<void> {
    try {
      const outcome = await this.presence.heartbeat();
      if (outcome !== 'registered') await this.registerLocalPresence(outcome === 'reaped');
      if (Date.now() - this.lastFailureAt < NODE_TIMEOUT_MS) return;
      for (const departure of await this.presence.reapDeadNodes(NODE_TIMEOUT_MS)) {
        this.rooms.departed(departure);
      }
    } catch (error) {
      this.lastFailureAt = Date.now();
      throw error;
    }
  }

  /** `announce`: the rooms were told that these users left, so they are told of their return. */
  private async registerLocalPresence(announce: boolean): Promise<void> {
    for (const { user, socketId, rooms } of this.localSockets.localMemberships()) {
      await this.rooms.recovered(user, socketId, rooms, announce);
    }
  }
}
