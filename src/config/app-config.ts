import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { publicKey } from '../common/verification-keys.js';
import { HookEnvironment, hookSettingsOf, type HookSettings } from './hook-settings.js';
import { RedisEnvironment, redisSettingsOf, type RedisSettings } from './redis-settings.js';
import { listOf, toBoolean, toInteger } from './transforms.js';
import { webhookSettingsOf, type WebhookSettings } from './webhook-settings.js';

/**
 * Every setting of the service, read once from the environment at start. Nothing else reads
 * `process.env`. The property names are the variables' names so that a refusal names the variable.
 */
class Environment extends HookEnvironment {
  @Transform(toInteger) @IsInt() @Min(0) @Max(65535) PORT = 3000;

  @IsOptional() @IsString() @MinLength(16) AUTH_JWT_SECRET?: string;
  @Transform(toBoolean) @IsBoolean() AUTH_ALLOW_GUESTS = true;
  @IsOptional() @IsString() AUTH_JWT_PUBLIC_KEY?: string;
  @IsOptional()
  @IsUrl(
    { protocols: ['https', 'http'], require_protocol: true, require_tld: false },
    { message: 'must be an https:// URL (http:// for local use) of a JWKS document' },
  )
  AUTH_JWKS_URL?: string;
  @Transform(toInteger) @IsInt() @Min(0) @Max(3_600_000) AUTH_JWKS_COOLDOWN_MS = 30_000;
  @IsOptional() @IsString() AUTH_JWT_ISSUER?: string;
  @IsOptional() @IsString() AUTH_JWT_AUDIENCE?: string;
  @Transform(toBoolean) @IsBoolean() ROOMS_REQUIRE_GRANT = false;

  @Transform(toInteger) @IsInt() @Min(1) @Max(10_000) ROOM_MAX_PER_SOCKET = 50;
  @Transform(toInteger) @IsInt() @Min(1) @Max(1_000_000) HISTORY_LIMIT = 1000;
  @Transform(toInteger) @IsInt() @Min(1) @Max(10_000_000) HISTORY_MAX_ROOMS = 10_000;
  @Transform(toInteger) @IsInt() @Min(0) @Max(31_536_000) HISTORY_EVICT_IDLE_SECONDS = 86_400;
  @Transform(toInteger) @IsInt() @Min(1) @Max(10_000_000) ROOMS_NEW_PER_HOUR = 60;

  @Transform(toInteger) @IsInt() @Min(100) @Max(600_000) NOTIFY_ACK_TIMEOUT_MS = 5000;
  @IsOptional() @IsString() @MinLength(16) API_KEY?: string;
  /** API_KEY's older name, from when the server API was only POST /api/notifications. */
  @IsOptional() @IsString() @MinLength(16) NOTIFY_API_KEY?: string;
  @IsOptional() @IsString() @MinLength(16) METRICS_TOKEN?: string;

  @Transform(toInteger) @IsInt() @Min(1024) @Max(100_000_000) MAX_PAYLOAD_BYTES = 1_000_000;
  @Transform(toInteger) @IsInt() @Min(1) @Max(100_000) RATE_LIMIT_PER_SEC = 20;
  @Transform(toInteger) @IsInt() @Min(1) @Max(100_000) RATE_LIMIT_BURST = 40;
  @Transform(toInteger) @IsInt() @Min(1) @Max(100_000_000) RELAY_MAX_BYTES = 65_536;

  @IsOptional() @IsString() CORS_ORIGINS?: string;
  @IsOptional()
  @IsUrl(
    { protocols: ['https', 'http'], require_protocol: true, require_tld: false },
    { message: 'must be the https:// (or http://) URL at which browsers reach this service' },
  )
  PUBLIC_URL?: string;

  @Transform(toInteger) @IsInt() @Min(1024) @Max(1_000_000_000) MAX_BUFFERED_BYTES = 1_048_576;
  @Transform(toInteger) @IsInt() @Min(1) @Max(10_000_000) RECOVERY_BUFFER_PACKETS = 10_000;
  @Transform(toInteger) @IsInt() @Min(1) @Max(10_000) MAX_SOCKETS_PER_USER = 20;
  @Transform(toInteger) @IsInt() @Min(1) @Max(100_000) HANDSHAKE_RATE_PER_IP = 20;
  @Transform(toInteger) @IsInt() @Min(0) @Max(10) TRUST_PROXY = 0;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  @IsOptional() @IsString() NODE_ENV?: string;
}

export type CorsOrigins = '*' | string[] | false;

/** The validated, typed settings; injected wherever a setting is needed. */
export class AppConfig {
  readonly port: number;
  readonly jwtSecret: string | undefined;
  readonly allowGuests: boolean;
  readonly jwtPublicKey: string | undefined;
  readonly jwksUrl: string | undefined;
  readonly jwksCooldownMs: number;
  readonly jwtIssuer: string | undefined;
  readonly jwtAudience: string | undefined;
  readonly roomsRequireGrant: boolean;
  readonly roomMaxPerSocket: number;
  readonly historyLimit: number;
  readonly historyMaxRooms: number;
  /** How long a room must have had no message before its history may make space for a new room. */
  readonly historyEvictIdleSeconds: number;
  /** Rooms without a history that one user (a guest: one client address) may bring in per hour. */
  readonly roomsNewPerHour: number;
  readonly notifyAckTimeoutMs: number;
  /**
   * The Bearer keys of the server API (`/api`): API_KEY and NOTIFY_API_KEY, each accepted when set,
   * so that a deployment can move from the old name to the new one without a moment of refusals.
   * Empty: the API is off.
   */
  readonly apiKeys: string[];
  /** The Bearer token that `/metrics` asks for; unset: it is open (keep it off the internet). */
  readonly metricsToken: string | undefined;
  /** Undefined when neither REDIS_URL nor REDIS_SENTINELS is set: one node, in memory. */
  readonly redis: RedisSettings | undefined;
  readonly maxPayloadBytes: number;
  readonly rateLimitPerSec: number;
  readonly rateLimitBurst: number;
  /** What one custom event's `data` may weigh, as sent (see relay/relayed-size.ts). */
  readonly relayMaxBytes: number;
  /**
   * The origins whose pages may use the service: those of CORS_ORIGINS (`*`: any), and PUBLIC_URL's
   * own; `false`: none. A request's Host header never adds one: a client chooses it.
   */
  readonly corsOrigins: CorsOrigins;
  readonly logLevel: string;
  readonly maxBufferedBytes: number;
  readonly recoveryBufferPackets: number;
  readonly maxSocketsPerUser: number;
  readonly handshakeRatePerIp: number;
  /** How many proxies in front of the server append to X-Forwarded-For (0: use the peer's address). */
  readonly trustProxy: number;
  /** Undefined when WEBHOOK_URL is unset: webhooks are off. */
  readonly webhooks: WebhookSettings | undefined;
  /** Undefined when no HOOK_*_URL is set: hooks are off. */
  readonly hooks: HookSettings | undefined;

  constructor(
    env: Environment,
    webhooks: WebhookSettings | undefined,
    hooks: HookSettings | undefined,
    redis: RedisSettings | undefined,
  ) {
    this.port = env.PORT;
    this.jwtSecret = env.AUTH_JWT_SECRET;
    this.allowGuests = env.AUTH_ALLOW_GUESTS;
    this.jwtPublicKey = env.AUTH_JWT_PUBLIC_KEY;
    this.jwksUrl = env.AUTH_JWKS_URL;
    this.jwksCooldownMs = env.AUTH_JWKS_COOLDOWN_MS;
    this.jwtIssuer = env.AUTH_JWT_ISSUER;
    this.jwtAudience = env.AUTH_JWT_AUDIENCE;
    this.roomsRequireGrant = env.ROOMS_REQUIRE_GRANT;
    this.roomMaxPerSocket = env.ROOM_MAX_PER_SOCKET;
    this.historyLimit = env.HISTORY_LIMIT;
    this.historyMaxRooms = env.HISTORY_MAX_ROOMS;
    this.historyEvictIdleSeconds = env.HISTORY_EVICT_IDLE_SECONDS;
    this.roomsNewPerHour = env.ROOMS_NEW_PER_HOUR;
    this.notifyAckTimeoutMs = env.NOTIFY_ACK_TIMEOUT_MS;
    this.apiKeys = [env.API_KEY, env.NOTIFY_API_KEY].filter((key) => key !== undefined);
    this.metricsToken = env.METRICS_TOKEN;
    this.redis = redis;
    this.maxPayloadBytes = env.MAX_PAYLOAD_BYTES;
    this.rateLimitPerSec = env.RATE_LIMIT_PER_SEC;
    this.rateLimitBurst = env.RATE_LIMIT_BURST;
    this.relayMaxBytes = env.RELAY_MAX_BYTES;
    this.corsOrigins = corsOriginsOf(env.CORS_ORIGINS, env.NODE_ENV, env.PUBLIC_URL);
    this.logLevel = env.LOG_LEVEL;
    this.maxBufferedBytes = env.MAX_BUFFERED_BYTES;
    this.recoveryBufferPackets = env.RECOVERY_BUFFER_PACKETS;
    this.maxSocketsPerUser = env.MAX_SOCKETS_PER_USER;
    this.handshakeRatePerIp = env.HANDSHAKE_RATE_PER_IP;
    this.trustProxy = env.TRUST_PROXY;
    this.webhooks = webhooks;
    this.hooks = hooks;
  }
}

/**
 * `*` anywhere but in production, where browsers are refused until origins are listed or
 * PUBLIC_URL names the service's own.
 */
function corsOriginsOf(
  value: string | undefined,
  nodeEnv: string | undefined,
  publicUrl: string | undefined,
): CorsOrigins {
  if (value === undefined && nodeEnv !== 'production') return '*';
  const listed = listOf(value);
  if (listed.includes('*')) return '*';
  const own = publicUrl === undefined ? [] : [new URL(publicUrl).origin];
  const origins = [...new Set([...listed, ...own])];
  return origins.length === 0 ? false : origins;
}

/** Each entry must be `*` or an origin exactly as browsers send it: a trailing slash never matches. */
function corsOriginProblems(value: string | undefined): string[] {
  const entries = listOf(value);
  const invalid = entries.filter((entry) => entry !== '*' && originOf(entry) !== entry);
  return invalid.length === 0
    ? []
    : [
        `CORS_ORIGINS: ${invalid.join(', ')} is not an origin like https://app.example.com (scheme, host, optional port; no path)`,
      ];
}

function originOf(entry: string): string | undefined {
  try {
    return new URL(entry).origin;
  } catch {
    return undefined;
  }
}

function publicKeyProblems(pem: string | undefined): string[] {
  if (pem === undefined) return [];
  try {
    publicKey(pem);
    return [];
  } catch (error) {
    return [`AUTH_JWT_PUBLIC_KEY: ${(error as Error).message}`];
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  // A variable set to the empty string counts as unset, as `FOO= npm start` means to say.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const [env, problems] = validated(Environment, present);
  const [redisEnv, redisProblems] = validated(RedisEnvironment, present);
  problems.push(...redisProblems);
  problems.push(...corsOriginProblems(env.CORS_ORIGINS));
  problems.push(...publicKeyProblems(env.AUTH_JWT_PUBLIC_KEY));
  const webhooks = webhookSettingsOf(env);
  problems.push(...webhooks.problems);
  const hooks = hookSettingsOf(env);
  problems.push(...hooks.problems);
  const redis = redisProblems.length > 0 ? undefined : redisSettingsOf(redisEnv);
  problems.push(...(redis?.problems ?? []));
  if (problems.length > 0) throw new ConfigError(problems);
  return new AppConfig(env, webhooks.settings, hooks.settings, redis?.settings);
}

/** The variables that one class of settings reads, with their defaults, and what is wrong in them. */
function validated<T extends object>(
  settings: new () => T,
  present: Record<string, unknown>,
): [T, string[]] {
  const env = plainToInstance(settings, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { validationError: { target: false, value: false } });
  const problems = errors.map(
    (error) => `${error.property}: ${Object.values(error.constraints ?? {}).join(', ')}`,
  );
  return [env, problems];
}
