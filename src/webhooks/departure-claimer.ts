import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { DEPARTURE_SCHEDULE, type DepartureSchedule } from '../storage/departures.js';
import { PresenceEvents } from './presence-events.js';

/** Rounds are a quarter of the delay apart, within these bounds: a departure is told that late at most. */
const ROUND_MIN_MS = 50;
const ROUND_MAX_MS = 1000;
/** The departures one claim takes at most; a round claims again while it gets that many. */
const CLAIM_MAX = 500;

/**
 * Claims the departures that fell due (on every node: the store gives each to exactly one claim)
 * and tells them. Runs only while some presence event is sent (the schedule exists).
 */
@Injectable()
export class DepartureClaimer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private failing = false;

  constructor(
    @Inject(DEPARTURE_SCHEDULE) private readonly schedule: DepartureSchedule | null,
    private readonly presenceEvents: PresenceEvents,
    private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const delayMs = this.config.webhooks?.presenceDelayMs;
    if (this.schedule === null || delayMs === undefined) return;
    const interval = Math.min(ROUND_MAX_MS, Math.max(ROUND_MIN_MS, delayMs / 4));
    this.timer = setInterval(() => void this.claimDue(), interval);
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round now (or the one under way); never rejects: a failure is logged once per outage. */
  claimDue(): Promise<void> {
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  private async runRound(): Promise<void> {
    if (this.schedule === null) return;
    try {
      for (;;) {
        const due = await this.schedule.claimDue(Date.now(), CLAIM_MAX);
        for (const departure of due) this.presenceEvents.departed(departure);
        if (due.length < CLAIM_MAX) break;
      }
      if (this.failing) this.logger.info('presence departures are claimed again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.error({ err: error }, 'claiming presence departures failed');
      this.failing = true;
    }
  }
}
