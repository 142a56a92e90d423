import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@switchboard/contract';
import { listOf, namePatternProblems, toInteger } from './transforms.js';

/** The WEBHOOK_* variables (docs/protocol.md, Webhooks), validated with the others at start. */
export class WebhookEnvironment {
  @IsOptional()
  @IsUrl(
    { protocols: ['https', 'http'], require_protocol: true, require_tld: false },
    { message: 'must be the http:// or https:// URL of the application backend receiving events' },
  )
  WEBHOOK_URL?: string;
  @IsOptional() @IsString() @MinLength(16) WEBHOOK_SECRET?: string;
  @IsOptional() @IsString() WEBHOOK_EVENTS?: string;
  @IsOptional() @IsString() WEBHOOK_ROOM_EVENTS?: string;
  @Transform(toInteger) @IsInt() @Min(0) @Max(3_600_000) WEBHOOK_PRESENCE_DELAY_MS = 5000;
  @Transform(toInteger) @IsInt() @Min(0) @Max(86_400_000) WEBHOOK_UNACKNOWLEDGED_MS = 30_000;
  @Transform(toInteger) @IsInt() @Min(1) @Max(10_000) WEBHOOK_BATCH_MAX = 50;
  @Transform(toInteger) @IsInt() @Min(0) @Max(60_000) WEBHOOK_BATCH_MS = 50;
  @Transform(toInteger) @IsInt() @Min(100) @Max(600_000) WEBHOOK_TIMEOUT_MS = 5000;
  @Transform(toInteger) @IsInt() @Min(0) @Max(2_592_000) WEBHOOK_RETRY_SECONDS = 86_400;
  @Transform(toInteger) @IsInt() @Min(1) @Max(1024) WEBHOOK_CONCURRENCY = 4;
  @Transform(toInteger) @IsInt() @Min(1) @Max(100_000_000) WEBHOOK_QUEUE_MAX = 100_000;
}

/** The webhook settings; `undefined` in AppConfig when WEBHOOK_URL is unset (webhooks are off). */
export interface WebhookSettings {
  url: string;
  secret: string;
  /** The event types sent (WEBHOOK_EVENTS; every type by default). */
  events: ReadonlySet<WebhookEventType>;
  /** WEBHOOK_ROOM_EVENTS: custom event names, each exact or ending in `*`; empty: none. */
  roomEventPatterns: readonly string[];
  presenceDelayMs: number;
  unacknowledgedMs: number;
  batchMax: number;
  batchMs: number;
  timeoutMs: number;
  retrySeconds: number;
  concurrency: number;
  queueMax: number;
}

/** The settings, or the problems that stop the start (each naming its variable). */
export function webhookSettingsOf(env: WebhookEnvironment): {
  settings: WebhookSettings | undefined;
  problems: string[];
} {
  if (env.WEBHOOK_URL === undefined) return { settings: undefined, problems: [] };
  const problems: string[] = [];
  if (env.WEBHOOK_SECRET === undefined) {
    problems.push('WEBHOOK_SECRET: must be set (at least 16 characters) when WEBHOOK_URL is set');
  }
  const events = listOf(env.WEBHOOK_EVENTS);
  const unknown = events.filter(
    (type) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type),
  );
  if (unknown.length > 0) {
    problems.push(
      `WEBHOOK_EVENTS: ${unknown.join(', ')} is not one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    );
  }
  const patterns = listOf(env.WEBHOOK_ROOM_EVENTS);
  problems.push(...namePatternProblems('WEBHOOK_ROOM_EVENTS', patterns, 'an event name'));
  if (problems.length > 0) return { settings: undefined, problems };
  return {
    problems,
    settings: {
      url: env.WEBHOOK_URL,
      secret: env.WEBHOOK_SECRET!,
      events: new Set(events.length === 0 ? WEBHOOK_EVENT_TYPES : (events as WebhookEventType[])),
      roomEventPatterns: patterns,
      presenceDelayMs: env.WEBHOOK_PRESENCE_DELAY_MS,
      unacknowledgedMs: env.WEBHOOK_UNACKNOWLEDGED_MS,
      batchMax: env.WEBHOOK_BATCH_MAX,
      batchMs: env.WEBHOOK_BATCH_MS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      retrySeconds: env.WEBHOOK_RETRY_SECONDS,
      concurrency: env.WEBHOOK_CONCURRENCY,
      queueMax: env.WEBHOOK_QUEUE_MAX,
    },
  };
}
