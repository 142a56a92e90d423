import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorCode } from '../contract/types.js';

/** Latencies waiting for the next scrape; past this many they are handed over at once. */
const PENDING_LATENCIES_MAX = 10_000;

/**
 * Counters of the real-time edge. Every event touches them, so the hot path only bumps plain
 * numbers, and prom-client (which hashes labels on each call) takes them over when /metrics is
 * scraped. Event labels are bounded: unknown names count as "unknown".
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private connected = 0;
  private readonly receivedByEvent = new Map<string, number>();
  private readonly sentByEvent = new Map<string, number>();
  private readonly repliesByCode = new Map<string, number>();
  private pendingLatencies: number[] = [];
  private slowReadersClosed = 0;

  constructor() {
    const connectedSockets: Gauge = new Gauge({
      name: 'switchboard_connected_sockets',
      help: 'Sockets connected to this node',
      registers: [this.registry],
      collect: () => connectedSockets.set(this.connected),
    });
    this.counter(
      'switchboard_events_received_total',
      'Client events received, by event name',
      'event',
      this.receivedByEvent,
    );
    this.counter(
      'switchboard_events_sent_total',
      'Server events emitted (one per emit, whatever the number of recipients), by event name',
      'event',
      this.sentByEvent,
    );
    this.counter(
      'switchboard_replies_total',
      'Replies to client events, by code (OK for a success)',
      'code',
      this.repliesByCode,
    );
    const replyLatency: Histogram = new Histogram({
      name: 'switchboard_reply_duration_seconds',
      help: 'Time from receiving a client event to sending its reply',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
      collect: () => {
        for (const seconds of this.takeLatencies()) replyLatency.observe(seconds);
      },
    });
    const slowReaders: Counter = new Counter({
      name: 'switchboard_slow_readers_closed_total',
      help: 'Connections closed because MAX_BUFFERED_BYTES waited to be written to them',
      registers: [this.registry],
      collect: () => {
        slowReaders.inc(this.slowReadersClosed);
        this.slowReadersClosed = 0;
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  slowReaderClosed(): void {
    this.slowReadersClosed += 1;
  }

  socketConnected(): void {
    this.connected += 1;
  }

  socketDisconnected(): void {
    this.connected -= 1;
  }

  eventReceived(event: string): void {
    increment(this.receivedByEvent, event);
  }

  eventSent(event: string): void {
    increment(this.sentByEvent, event);
  }

  replied(code: ErrorCode | 'OK', seconds: number): void {
    increment(this.repliesByCode, code);
    this.pendingLatencies.push(seconds);
    if (this.pendingLatencies.length >= PENDING_LATENCIES_MAX) {
      // Nobody scrapes: fold them in now rather than let the list grow.
      void this.registry.getSingleMetric('switchboard_reply_duration_seconds')?.get();
    }
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private takeLatencies(): number[] {
    const taken = this.pendingLatencies;
    this.pendingLatencies = [];
    return taken;
  }

  /** A counter that, when scraped, takes over what was counted in `counts` since the last scrape. */
  private counter(name: string, help: string, label: string, counts: Map<string, number>): void {
    const counter: Counter = new Counter({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect: () => {
        for (const [value, count] of counts) counter.inc({ [label]: value }, count);
        counts.clear();
      },
    });
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
