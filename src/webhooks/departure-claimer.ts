import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { DEPARTURE_SCHEDULE, type DepartureSchedule } from '../storage/departures.js';
import { ClaimRounds } from './claim-rounds.js';
import { PresenceEvents } from './presence-events.js';

/**
 * Tells the presence departures that fell due (user.offline, member.left with reason
 * `disconnect`, room.vacated), claimed on every node. Runs only while some presence event is sent
 * (the schedule exists).
 */
@Injectable()
export class DepartureClaimer extends ClaimRounds implements OnApplicationBootstrap {
  constructor(
    @Inject(DEPARTURE_SCHEDULE) private readonly schedule: DepartureSchedule | null,
    private readonly presenceEvents: PresenceEvents,
    private readonly config: AppConfig,
    @Inject(APP_LOGGER) logger: Logger,
  ) {
    super('presence departures', logger);
  }

  onApplicationBootstrap(): void {
    const delayMs = this.config.webhooks?.presenceDelayMs;
    if (this.schedule !== null && delayMs !== undefined) this.startRounds(delayMs);
  }

  protected async claimAndTell(now: number, limit: number): Promise<number> {
    if (this.schedule === null) return 0;
    const due = await this.schedule.claimDue(now, limit);
    for (const departure of due) this.presenceEvents.departed(departure);
    return due.length;
  }
}
