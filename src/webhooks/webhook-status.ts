import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { WEBHOOK_QUEUE, type WebhookQueue } from '../storage/webhook-queue.js';
import { urlWithoutCredentials } from './webhook-endpoint.js';
import { WebhookOutbox } from './webhook-outbox.js';
import type { WebhookStatusDto } from './webhook-status.dto.js';

/** What waits and how deliveries went, for the status route and the metrics' gauges. */
@Injectable()
export class WebhookStatus implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    @Inject(WEBHOOK_QUEUE) private readonly queue: WebhookQueue | null,
    private readonly outbox: WebhookOutbox,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    if (this.queue === null) return;
    this.metrics.measureWebhookBacklog(async () => {
      const { queued, oldestAgeMs } = await this.backlog();
      return { queued, oldestAgeMs };
    });
  }

  /** NOT_FOUND while webhooks are off: there is no URL to tell of, nor anything queued. */
  async status(): Promise<WebhookStatusDto> {
    const settings = this.config.webhooks;
    if (settings === undefined || this.queue === null) {
      throw new AppError('NOT_FOUND', 'webhooks are off: WEBHOOK_URL is unset');
    }
    const [backlog, outcomes] = await Promise.all([this.backlog(), this.queue.outcomes()]);
    return {
      url: urlWithoutCredentials(settings.url),
      ...backlog,
      lastSuccessAt: outcomes.lastSuccessAt,
      ...(outcomes.lastFailure === undefined ? {} : { lastFailure: outcomes.lastFailure }),
    };
  }

  /** The queue's backlog and this node's events still on their way into it. */
  private async backlog(): Promise<{ queued: number; oldestAgeMs: number; dropped: number }> {
    const { queued, oldestTs, dropped } = await this.queue!.backlog();
    return {
      queued: queued + this.outbox.size,
      oldestAgeMs: oldestTs === undefined ? 0 : Math.max(0, Date.now() - oldestTs),
      dropped,
    };
  }
}
