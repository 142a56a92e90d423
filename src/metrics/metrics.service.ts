import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorCode } from '../contract/types.js';

/** Counters of the real-time edge. Event labels are bounded: unknown names count as "unknown". */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly connectedSockets = new Gauge({
    name: 'switchboard_connected_sockets',
    help: 'Sockets connected to this node',
    registers: [this.registry],
  });
  private readonly eventsReceived = new Counter({
    name: 'switchboard_events_received_total',
    help: 'Client events received, by event name',
    labelNames: ['event'],
    registers: [this.registry],
  });
  private readonly eventsSent = new Counter({
    name: 'switchboard_events_sent_total',
    help: 'Server events emitted (one per emit, whatever the number of recipients), by event name',
    labelNames: ['event'],
    registers: [this.registry],
  });
  private readonly replies = new Counter({
    name: 'switchboard_replies_total',
    help: 'Replies to client events, by code (OK for a success)',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly replyLatency = new Histogram({
    name: 'switchboard_reply_duration_seconds',
    help: 'Time from receiving a client event to sending its reply',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  socketConnected(): void {
    this.connectedSockets.inc();
  }

  socketDisconnected(): void {
    this.connectedSockets.dec();
  }

  eventReceived(event: string): void {
    this.eventsReceived.inc({ event });
  }

  eventSent(event: string): void {
    this.eventsSent.inc({ event });
  }

  replied(code: ErrorCode | 'OK', seconds: number): void {
    this.replies.inc({ code });
    this.replyLatency.observe(seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
