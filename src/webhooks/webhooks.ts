import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { WebhookEventData, WebhookEventType } from '@switchboard/contract';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { MessageWebhookEvent } from '../storage/stores.js';
import type { WebhookMarker } from '../storage/webhook-queue.js';
import { partitionOf } from './partition.js';
import { WebhookOutbox } from './webhook-outbox.js';

const NONE: ReadonlySet<WebhookEventType> = new Set();

/**
 * What the features tell the application's backend (docs/webhooks.md). A source asks `wants`
 * before it builds an event's data, so that a type nobody wants (or webhooks off) costs one
 * lookup; `record` queues the event and returns at once.
 *
 * @example
 * if (this.webhooks.wants('message.created')) {
 *   this.webhooks.record('message.created', { message }, `room:${message.room}`);
 * }
 */
@Injectable()
export class Webhooks {
  private readonly types: ReadonlySet<WebhookEventType>;
  private readonly partitions: number;

  constructor(
    config: AppConfig,
    private readonly outbox: WebhookOutbox,
    private readonly metrics: MetricsService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.types = config.webhooks?.events ?? NONE;
    this.partitions = config.webhooks?.concurrency ?? 1;
  }

  /** Whether events of `type` are sent: false when webhooks are off or WEBHOOK_EVENTS leaves it out. */
  wants(type: WebhookEventType): boolean {
    return this.types.has(type);
  }

  /**
   * Queues the event with a new unique `id` and the time now as `ts`. `key` is its partition key,
   * which orders it: `room:<name>` for an event of a room, else `user:<id>`. Never throws and
   * never waits: the write to the queue happens after the caller's turn of the event loop.
   */
  record<T extends WebhookEventType>(type: T, data: WebhookEventData[T], key: string): void {
    if (!this.types.has(type)) return;
    try {
      const ts = Date.now();
      const json = JSON.stringify({ id: randomUUID(), type, ts, data });
      this.outbox.add(partitionOf(key, this.partitions), { ts, json });
      this.metrics.webhookEventRecorded(type);
    } catch (error) {
      // Data that JSON cannot hold (a cycle, a BigInt) is a bug of the source, not of the caller.
      this.logger.error({ err: error, type }, 'webhook event not recorded');
    }
  }

  /**
   * The event of `type` about a message about to be stored, for a store to queue in the step that
   * gives the message its offset (`HistoryStore.queuesWebhookEvents`): the shape `record` gives,
   * `{ id, type, ts, data: { message } }`, around the message JSON that only that step knows.
   * Undefined when `type` is not wanted. Once the store has queued it, call `queuedByStore`.
   */
  messageEvent(type: 'message.created', key: string): MessageWebhookEvent | undefined {
    if (!this.types.has(type)) return undefined;
    const ts = Date.now();
    const withoutData = JSON.stringify({ id: randomUUID(), type, ts, data: {} });
    return {
      partition: partitionOf(key, this.partitions),
      ts,
      before: `${withoutData.slice(0, -2)}"message":`,
      after: '}}',
    };
  }

  /**
   * Counts an event that a store queued, as `record` counts its own, and wakes its sender; with
   * the `marker` the store returned (its event waits in a room's outbox), appends that marker to
   * the partition first, as `record` appends an event: after this turn of the event loop.
   */
  queuedByStore(type: WebhookEventType, event: MessageWebhookEvent, marker?: WebhookMarker): void {
    this.metrics.webhookEventRecorded(type);
    if (marker === undefined) this.outbox.tellAppended(event.partition);
    else this.outbox.add(event.partition, marker);
  }
}
