import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { Broadcaster } from '../realtime/broadcaster.js';
import { PRESENCE_STORE, type PresenceStore } from '../storage/stores.js';
import { RoomsService } from './rooms.service.js';

/**
 * With a timeout of 6 s (the presence store's), a dead node's sockets leave their rooms within
 * 6 s + one interval: inside the contract's 10 seconds.
 */
export const PRESENCE_KEEPING_INTERVAL_MS = 2000;

/**
 * Keeps presence true across nodes: tells the others that this node is alive, registers this
 * node's presence again when it was given up for dead (Redis was away, or lost its data), and
 * removes the presence of nodes that died without a goodbye. Only with several nodes (Redis).
 */
@Injectable()
export class PresenceKeeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running = false;
  private failing = false;

  constructor(
    @Inject(PRESENCE_STORE) private readonly presence: PresenceStore,
    private readonly rooms: RoomsService,
    private readonly broadcaster: Broadcaster,
    private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.redisUrl === undefined) return;
    this.timer = setInterval(() => void this.keep(), PRESENCE_KEEPING_INTERVAL_MS);
    await this.keep();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round; a round still running when the next is due is not doubled. */
  async keep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      if (await this.presence.heartbeat()) await this.registerLocalPresence();
      for (const departure of await this.presence.reapDeadNodes()) this.rooms.departed(departure);
      if (this.failing) this.logger.info('presence is kept again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.error({ err: error }, 'presence keeping failed; retrying');
      this.failing = true;
    } finally {
      this.running = false;
    }
  }

  private async registerLocalPresence(): Promise<void> {
    for (const { user, socketId, rooms } of this.broadcaster.localMemberships()) {
      await this.rooms.recovered(user, socketId, rooms);
    }
  }
}
