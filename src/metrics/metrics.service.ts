import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  type ErrorCode,
  type SessionEndReason,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
} from '@switchboard/contract';

/**
 * Why a handshake was refused: a bad or missing credential, too many from one address, or the
 * connect hook's backend not answering.
 */
export type HandshakeRefusal = 'unauthorized' | 'rate_limited' | 'unavailable';

/** The questions to the application's backend (docs/protocol.md, Hooks). */
export type HookName = 'connect' | 'join' | 'publish' | 'rpc';

/** `ok`: answered; `refused`: answered with a refusal; `unavailable`: no usable answer. */
export type HookOutcome = 'ok' | 'refused' | 'unavailable';

/**
 * Which bound refused a message to a room without a history (see the history store): the rooms
 * with one are all too recently written to, or the sender brought in its rooms of the hour.
 */
export type NewRoomRefusalReason = 'history_max_rooms' | 'rooms_new_per_hour';

/** Why the server itself ends a socket: a `session:ended` reason, or a reader too slow to be told. */
export type ServerEndReason = SessionEndReason | 'slow_reader';

/**
 * The `reason` label of a disconnect: what the server ended on purpose, else `client` (the client
 * left, or its connection failed) or `server` (the server dropped it without a reason of its own:
 * a shutdown, a disconnect without `endingSession`).
 */
export type DisconnectReason = ServerEndReason | 'client' | 'server';

const HANDSHAKE_REFUSALS: readonly HandshakeRefusal[] = [
  'unauthorized',
  'rate_limited',
  'unavailable',
];
const NEW_ROOM_REFUSALS: readonly NewRoomRefusalReason[] = [
  'history_max_rooms',
  'rooms_new_per_hour',
];
const DISCONNECT_REASONS: readonly DisconnectReason[] = [
  'rate_limited',
  'slow_reader',
  'token_expired',
  'replaced',
  'kicked',
  'client',
  'server',
];

/**
 * Socket.IO's and Engine.IO's disconnect reasons that mean this server closed the connection;
 * every other one ("client namespace disconnect", "transport close", "ping timeout", "transport
 * error", "parse error") comes from the client or the network.
 */
const SERVER_SIDE_DISCONNECTS = new Set([
  'server namespace disconnect',
  'server shutting down',
  'forced server close',
  'forced close',
]);

/** How a webhook delivery ended: a 2xx, a try that failed (retried), or given up after retrying. */
export type WebhookDeliveryOutcome = 'ok' | 'failed' | 'dropped';
const WEBHOOK_DELIVERY_OUTCOMES: readonly WebhookDeliveryOutcome[] = ['ok', 'failed', 'dropped'];

/** The webhook events waiting (cluster-wide), and the age of the oldest in ms (0: none). */
export interface WebhookBacklogGauge {
  queued: number;
  oldestAgeMs: number;
}

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
  private readonly refusedHandshakes = new Map<string, number>();
  private readonly refusedNewRooms = new Map<string, number>();
  private readonly disconnectsByReason = new Map<string, number>();
  /**
   * Why the server is ending a socket, until its disconnect counts it. Keyed by the socket object,
   * so that an entry goes with its socket and nothing travels with the socket's data (which
   * Socket.IO keeps for a recovered session, or sends to other nodes).
   */
  private readonly endingReasons = new WeakMap<object, ServerEndReason>();
  private pendingLatencies: number[] = [];
  private slowReadersClosed = 0;
  private readonly webhookEventsByType = new Map<string, number>();
  private readonly webhookDeliveriesByOutcome = new Map<string, number>();
  /** Set while webhooks are on: read at each scrape. */
  private webhookBacklog?: () => Promise<WebhookBacklogGauge>;
  /** Hook calls cost an HTTP round trip each: prom-client's own label hashing is nothing beside it. */
  private readonly hookCalls: Counter<'hook' | 'outcome'>;
  private readonly hookDurations: Histogram<'hook'>;

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
    this.counter(
      'switchboard_handshakes_refused_total',
      'Handshakes refused, by reason',
      'reason',
      this.refusedHandshakes,
      HANDSHAKE_REFUSALS,
    );
    this.counter(
      'switchboard_new_rooms_refused_total',
      'Messages (from sockets and the server API) refused because their room has no history and may not start one, by the bound',
      'reason',
      this.refusedNewRooms,
      NEW_ROOM_REFUSALS,
    );
    this.counter(
      'switchboard_disconnects_total',
      'Sockets disconnected, by reason: what the server ended on purpose, client or server',
      'reason',
      this.disconnectsByReason,
      DISCONNECT_REASONS,
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
    this.hookCalls = new Counter({
      name: 'switchboard_hook_calls_total',
      help: 'Requests to the application backend by hook, and their outcome (ok, refused, unavailable)',
      labelNames: ['hook', 'outcome'],
      registers: [this.registry],
    });
    this.hookDurations = new Histogram({
      name: 'switchboard_hook_duration_seconds',
      help: 'Time from asking a hook to having its answer (or giving up), by hook',
      labelNames: ['hook'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.webhookMetrics();
    collectDefaultMetrics({ register: this.registry });
  }

  hookCalled(hook: HookName, outcome: HookOutcome, seconds: number): void {
    this.hookCalls.inc({ hook, outcome });
    this.hookDurations.observe({ hook }, seconds);
  }

  /** Counted once per event, on the node that recorded it. */
  webhookEventRecorded(type: WebhookEventType): void {
    increment(this.webhookEventsByType, type);
  }

  /** Counted once per try (`ok`, `failed`) and once per delivery given up (`dropped`). */
  webhookDelivery(outcome: WebhookDeliveryOutcome): void {
    increment(this.webhookDeliveriesByOutcome, outcome);
  }

  /** Where the webhook gauges read the backlog from (only while webhooks are on). */
  measureWebhookBacklog(source: () => Promise<WebhookBacklogGauge>): void {
    this.webhookBacklog = source;
  }

  slowReaderClosed(): void {
    this.slowReadersClosed += 1;
  }

  socketConnected(): void {
    this.connected += 1;
  }

  handshakeRefused(reason: HandshakeRefusal): void {
    increment(this.refusedHandshakes, reason);
  }

  newRoomRefused(reason: NewRoomRefusalReason): void {
    increment(this.refusedNewRooms, reason);
  }

  /**
   * Called by whoever ends a socket on purpose, just before disconnecting it, on the node that
   * holds it: its disconnect then counts under `reason` instead of `server`.
   */
  endingSession(socket: object, reason: ServerEndReason): void {
    this.endingReasons.set(socket, reason);
  }

  /** `socketIoReason` is the reason of Socket.IO's `disconnect` event. */
  socketDisconnected(socket: object, socketIoReason: string): void {
    this.connected -= 1;
    const ending = this.endingReasons.get(socket);
    this.endingReasons.delete(socket);
    increment(
      this.disconnectsByReason,
      ending ?? (SERVER_SIDE_DISCONNECTS.has(socketIoReason) ? 'server' : 'client'),
    );
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

  private webhookMetrics(): void {
    this.counter(
      'switchboard_webhook_events_total',
      'Webhook events recorded on this node, by type',
      'type',
      this.webhookEventsByType,
      WEBHOOK_EVENT_TYPES,
    );
    this.counter(
      'switchboard_webhook_deliveries_total',
      'Webhook delivery tries sent by this node (ok, failed) and deliveries given up (dropped)',
      'outcome',
      this.webhookDeliveriesByOutcome,
      WEBHOOK_DELIVERY_OUTCOMES,
    );
    // One reading of the backlog serves both gauges of a scrape; while it cannot be read (Redis
    // away) they keep the last one.
    let last: WebhookBacklogGauge = { queued: 0, oldestAgeMs: 0 };
    let reading: Promise<WebhookBacklogGauge> | undefined;
    const read = () => {
      reading ??= (this.webhookBacklog?.() ?? Promise.resolve(last))
        .then(
          (backlog) => (last = backlog),
          () => last,
        )
        .finally(() => setImmediate(() => (reading = undefined)));
      return reading;
    };
    const queued: Gauge = new Gauge({
      name: 'switchboard_webhook_queued_events',
      help: 'Webhook events not yet delivered (cluster-wide with Redis)',
      registers: [this.registry],
      collect: async () => queued.set((await read()).queued),
    });
    const oldestAge: Gauge = new Gauge({
      name: 'switchboard_webhook_oldest_event_age_seconds',
      help: 'Age of the oldest webhook event not yet delivered (0 when none)',
      registers: [this.registry],
      collect: async () => oldestAge.set((await read()).oldestAgeMs / 1000),
    });
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

  /**
   * A counter that, when scraped, takes over what was counted in `counts` since the last scrape.
   * Each of `knownValues` is exposed from the start, at 0, so that a rate over it never misses
   * its first increase.
   */
  private counter(
    name: string,
    help: string,
    label: string,
    counts: Map<string, number>,
    knownValues: readonly string[] = [],
  ): void {
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
    for (const value of knownValues) counter.inc({ [label]: value }, 0);
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
