import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { listOf, namePatternProblems, toInteger } from './transforms.js';
import { WebhookEnvironment } from './webhook-settings.js';

/** Each hook's URL: the application's backend, over http(s). */
const IsBackendUrl = () =>
  IsUrl(
    { protocols: ['https', 'http'], require_protocol: true, require_tld: false },
    { message: 'must be the http:// or https:// URL of the application backend answering it' },
  );

/**
 * The HOOK_* variables (docs/protocol.md, Hooks), validated with the others at start. It extends the
 * webhook variables only because the environment is one class: the two features share nothing else.
 */
export class HookEnvironment extends WebhookEnvironment {
  @IsOptional() @IsBackendUrl() HOOK_CONNECT_URL?: string;
  @IsOptional() @IsBackendUrl() HOOK_JOIN_URL?: string;
  @IsOptional() @IsBackendUrl() HOOK_PUBLISH_URL?: string;
  @IsOptional() @IsBackendUrl() HOOK_RPC_URL?: string;
  @IsOptional() @IsString() @MinLength(16) HOOK_SECRET?: string;
  @Transform(toInteger) @IsInt() @Min(50) @Max(600_000) HOOK_TIMEOUT_MS = 2000;
  @Transform(toInteger) @IsInt() @Min(1) @Max(100_000) HOOK_MAX_IN_FLIGHT = 256;
  @IsString() HOOK_CONNECT_HEADERS = 'cookie,authorization,user-agent,origin';
  @IsString() HOOK_PUBLISH_ROOMS = '*';
}

/** The hook settings; `undefined` in AppConfig when no hook URL is set (hooks are off). */
export interface HookSettings {
  /** Each hook's URL; a hook whose URL is unset is never asked. */
  connectUrl: string | undefined;
  joinUrl: string | undefined;
  publishUrl: string | undefined;
  rpcUrl: string | undefined;
  secret: string;
  timeoutMs: number;
  maxInFlight: number;
  /** The handshake headers passed to the connect hook, lower case. */
  connectHeaders: readonly string[];
  /** HOOK_PUBLISH_ROOMS: room names, each exact or ending in `*`. */
  publishRoomPatterns: readonly string[];
}

/** The settings, or the problems that stop the start (each naming its variable). */
export function hookSettingsOf(env: HookEnvironment): {
  settings: HookSettings | undefined;
  problems: string[];
} {
  const urls = [env.HOOK_CONNECT_URL, env.HOOK_JOIN_URL, env.HOOK_PUBLISH_URL, env.HOOK_RPC_URL];
  if (urls.every((url) => url === undefined)) return { settings: undefined, problems: [] };
  const problems: string[] = [];
  if (env.HOOK_SECRET === undefined) {
    problems.push('HOOK_SECRET: must be set (at least 16 characters) when a HOOK_*_URL is set');
  }
  const publishRoomPatterns = listOf(env.HOOK_PUBLISH_ROOMS);
  problems.push(...namePatternProblems('HOOK_PUBLISH_ROOMS', publishRoomPatterns, 'a room name'));
  if (problems.length > 0) return { settings: undefined, problems };
  return {
    problems,
    settings: {
      connectUrl: env.HOOK_CONNECT_URL,
      joinUrl: env.HOOK_JOIN_URL,
      publishUrl: env.HOOK_PUBLISH_URL,
      rpcUrl: env.HOOK_RPC_URL,
      secret: env.HOOK_SECRET!,
      timeoutMs: env.HOOK_TIMEOUT_MS,
      maxInFlight: env.HOOK_MAX_IN_FLIGHT,
      connectHeaders: listOf(env.HOOK_CONNECT_HEADERS).map((name) => name.toLowerCase()),
      publishRoomPatterns,
    },
  };
}
