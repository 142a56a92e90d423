import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { listOf, toInteger } from './transforms.js';

/** The REDIS_* variables (docs/protocol.md, Scaling out), validated with the others at start. */
export class RedisEnvironment {
  @IsOptional()
  @IsUrl(
    { protocols: ['redis', 'rediss'], require_protocol: true, require_tld: false },
    { message: 'must be a redis:// or rediss:// URL, such as redis://user:password@host:6379/0' },
  )
  REDIS_URL?: string;
  @Matches(/^[\w:.-]{1,64}$/, { message: 'must be 1-64 characters of A-Z a-z 0-9 _ : . -' })
  REDIS_KEY_PREFIX = 'switchboard:';
  @IsOptional() @IsString() REDIS_SENTINELS?: string;
  @IsOptional()
  @Matches(/^[\w.-]{1,128}$/, { message: 'must be the name the sentinels monitor the master by' })
  REDIS_SENTINEL_MASTER?: string;
  @IsOptional() @IsString() REDIS_CLUSTER_NODES?: string;
  @Transform(toInteger) @IsInt() @Min(0) @Max(100) REDIS_WAIT_REPLICAS = 0;
  @Transform(toInteger) @IsInt() @Min(1) @Max(60_000) REDIS_WAIT_TIMEOUT_MS = 1000;
}

export interface RedisAddress {
  host: string;
  port: number;
}

/**
 * Where the Redis master is: at REDIS_URL, wherever the sentinels say, or the masters of a Redis
 * Cluster found from its seed nodes (with sentinels or a cluster, REDIS_URL, when set, gives only
 * the user, password, TLS and database).
 */
export type RedisTopology =
  | { kind: 'standalone'; url: string }
  | { kind: 'sentinel'; sentinels: RedisAddress[]; masterName: string; url: string | undefined }
  | { kind: 'cluster'; nodes: RedisAddress[]; url: string | undefined };

/** The Redis settings; `undefined` in AppConfig when no Redis is configured (one node, memory). */
export interface RedisSettings {
  topology: RedisTopology;
  /** Starts every key and stream of the deployment, the Socket.IO adapter's included. */
  keyPrefix: string;
  /** How many replicas must hold a stored message or notification before it is acknowledged. */
  waitReplicas: number;
  /** How long a write waits for them before it is answered `UNAVAILABLE`. */
  waitTimeoutMs: number;
}

/** The settings, or the problems that stop the start (each naming its variables). */
export function redisSettingsOf(env: RedisEnvironment): {
  settings: RedisSettings | undefined;
  problems: string[];
} {
  const sentinels = addressesOf('REDIS_SENTINELS', env.REDIS_SENTINELS);
  const clusterNodes = addressesOf('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES);
  const problems = [...sentinels.problems, ...clusterNodes.problems];
  if (env.REDIS_SENTINELS !== undefined && env.REDIS_CLUSTER_NODES !== undefined) {
    problems.push(
      'REDIS_SENTINELS, REDIS_CLUSTER_NODES: exclude each other: set one of them (with REDIS_URL for credentials, if needed)',
    );
  }
  const database = env.REDIS_URL === undefined ? '' : new URL(env.REDIS_URL).pathname;
  if (!/^\/?\d*$/.test(database)) {
    problems.push('REDIS_URL: its path is the database number (such as /0), nothing else');
  } else if (env.REDIS_CLUSTER_NODES !== undefined && !/^\/?0*$/.test(database)) {
    problems.push('REDIS_URL: a Redis Cluster has database 0 only: leave out the path, or /0');
  }
  if (env.REDIS_SENTINELS !== undefined && env.REDIS_SENTINEL_MASTER === undefined) {
    problems.push(
      'REDIS_SENTINEL_MASTER: must be set (the master name) when REDIS_SENTINELS is set',
    );
  }
  if (env.REDIS_SENTINEL_MASTER !== undefined && env.REDIS_SENTINELS === undefined) {
    problems.push('REDIS_SENTINEL_MASTER: means nothing without REDIS_SENTINELS');
  }
  if (problems.length > 0) return { settings: undefined, problems };
  const topology: RedisTopology | undefined =
    env.REDIS_SENTINELS !== undefined
      ? {
          kind: 'sentinel',
          sentinels: sentinels.addresses,
          masterName: env.REDIS_SENTINEL_MASTER!,
          url: env.REDIS_URL,
        }
      : env.REDIS_CLUSTER_NODES !== undefined
        ? { kind: 'cluster', nodes: clusterNodes.addresses, url: env.REDIS_URL }
        : env.REDIS_URL !== undefined
          ? { kind: 'standalone', url: env.REDIS_URL }
          : undefined;
  if (topology === undefined) return { settings: undefined, problems };
  return {
    problems,
    settings: {
      topology,
      keyPrefix: env.REDIS_KEY_PREFIX,
      waitReplicas: env.REDIS_WAIT_REPLICAS,
      waitTimeoutMs: env.REDIS_WAIT_TIMEOUT_MS,
    },
  };
}

/** A comma-separated list of `host:port`, each checked, none missing. */
function addressesOf(
  variable: string,
  value: string | undefined,
): { addresses: RedisAddress[]; problems: string[] } {
  if (value === undefined) return { addresses: [], problems: [] };
  const entries = listOf(value);
  const addresses = entries.map(addressOf);
  const invalid = entries.filter((_entry, index) => addresses[index] === undefined);
  if (entries.length === 0 || invalid.length > 0) {
    return {
      addresses: [],
      problems: [
        `${variable}: ${invalid.length > 0 ? `${invalid.join(', ')} is not` : 'must list'} host:port entries separated by commas, such as redis-1:26379,redis-2:26379`,
      ],
    };
  }
  return { addresses: addresses as RedisAddress[], problems: [] };
}

/** `host:port`, `[ipv6]:port`; the port 1-65535. */
function addressOf(entry: string): RedisAddress | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([\w.-]+)):(\d{1,5})$/.exec(entry);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1] ?? match[2], port };
}
