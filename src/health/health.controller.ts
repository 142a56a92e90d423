import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HEALTH_CHECKS, type HealthCheck } from './health-check.js';

@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  @Get()
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready when every configured dependency answers; with no dependency, as soon as the process serves. */
  @Get('ready')
  async ready(@Res() response: Response): Promise<void> {
    const results = await Promise.all(
      this.checks.map(async (check) => {
        try {
          await check.probe();
          return { name: check.name, ok: true as const };
        } catch (error) {
          return { name: check.name, ok: false as const, error: (error as Error).message };
        }
      }),
    );
    const failed = results.filter((result) => !result.ok).map((result) => result.name);
    response
      .status(failed.length === 0 ? 200 : 503)
      .json(
        failed.length === 0
          ? { status: 'ok', checks: results }
          : { status: 'unavailable', failed, checks: results },
      );
  }
}
