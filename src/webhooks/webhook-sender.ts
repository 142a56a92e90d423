import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RedisOutageLog } from '../storage/redis/redis-outage-log.js';
import { WEBHOOK_QUEUE, type WebhookQueue } from '../storage/webhook-queue.js';
import { PartitionWorker, type WorkerReport } from './partition-worker.js';
import { WebhookEndpoint } from './webhook-endpoint.js';
import { WebhookOutbox } from './webhook-outbox.js';

/**
 * A shutdown lets a try in flight finish for this long, then aborts it: its events stay queued
 * (with Redis, another node sends them; in memory they go with the process).
 */
export const SHUTDOWN_TRY_GRACE_MS = 2000;
/** A shutdown waits this long at most for the outbox to reach the queue. */
const SHUTDOWN_DRAIN_MS = 2000;
/** With Redis, owners look for events appended by other nodes this often; on one node, seldom. */
const POLL_MS = { shared: 100, memory: 1000 };

/**
 * Sends the queued events to WEBHOOK_URL: one worker per partition (WEBHOOK_CONCURRENCY), each
 * sending while this node holds its partition's lease. Starts once the application is up, so
 * that a node restarting sends what its predecessors left in Redis.
 */
@Injectable()
export class WebhookSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly workers: PartitionWorker[] = [];
  private readonly stopTries = new AbortController();
  private endpoint?: WebhookEndpoint;

  constructor(
    private readonly config: AppConfig,
    @Inject(WEBHOOK_QUEUE) private readonly queue: WebhookQueue | null,
    private readonly outbox: WebhookOutbox,
    private readonly metrics: MetricsService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Optional() private readonly outageLog?: RedisOutageLog,
  ) {}

  onApplicationBootstrap(): void {
    const settings = this.config.webhooks;
    if (settings === undefined || this.queue === null) return;
    const endpoint = new WebhookEndpoint(
      settings.url,
      settings.secret,
      settings.timeoutMs,
      settings.concurrency,
    );
    this.endpoint = endpoint;
    const owner = randomUUID();
    for (let partition = 0; partition < settings.concurrency; partition += 1) {
      this.workers.push(
        new PartitionWorker(partition, {
          queue: this.queue,
          owner,
          batchMax: settings.batchMax,
          batchMs: settings.batchMs,
          retrySeconds: settings.retrySeconds,
          pollMs: this.config.redisUrl === undefined ? POLL_MS.memory : POLL_MS.shared,
          send: (body, deliveryId, lapse) =>
            endpoint.send(body, deliveryId, AbortSignal.any([this.stopTries.signal, lapse])),
          report: (report) => this.take(report),
        }),
      );
    }
    this.outbox.onAppended((partition) => this.workers[partition]?.wake());
    for (const worker of this.workers) worker.start();
  }

  /** Before the stores' connection closes, so that what waits reaches Redis and leases are freed. */
  async onModuleDestroy(): Promise<void> {
    if (this.endpoint === undefined) return;
    const abort = setTimeout(() => this.stopTries.abort(), SHUTDOWN_TRY_GRACE_MS);
    await Promise.all(this.workers.map((worker) => worker.stop()));
    clearTimeout(abort);
    await this.outbox.drain(SHUTDOWN_DRAIN_MS);
    await this.endpoint.close().catch(() => undefined);
  }

  private take(report: WorkerReport): void {
    const queue = this.queue!;
    switch (report.kind) {
      case 'ok':
        this.metrics.webhookDelivery('ok');
        queue.noteSuccess(report.at).catch(() => undefined);
        return;
      case 'failed':
        this.metrics.webhookDelivery('failed');
        this.logger.warn(
          { deliveryId: report.deliveryId, status: report.outcome.status },
          `webhook delivery failed: ${report.outcome.message}`,
        );
        queue
          .noteFailure({
            at: report.at,
            status: report.outcome.status,
            message: report.outcome.message,
          })
          .catch(() => undefined);
        return;
      case 'dropped':
        this.metrics.webhookDelivery('dropped');
        this.logger.error(
          { deliveryId: report.deliveryId, events: report.events, since: report.since },
          'webhook delivery dropped: no 2xx within WEBHOOK_RETRY_SECONDS',
        );
        return;
      case 'queue-failing':
        this.outageLog?.failing('webhook sender', report.error);
        if (this.outageLog === undefined) {
          this.logger.error({ err: report.error }, 'webhook queue failed');
        }
        return;
      case 'queue-working':
        this.outageLog?.working('webhook sender');
    }
  }
}
