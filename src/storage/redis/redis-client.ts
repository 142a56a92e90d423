import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSettings, RedisTopology } from '../../config/redis-settings.js';

/**
 * A client of the deployment's Redis master, with `options` for its behaviour: the one place that
 * turns the topology of the settings into a connection, so that every client of a node (and every
 * copy made with `duplicate()`, which keeps these options) reaches the same master.
 */
export function redisClientOf({ topology }: RedisSettings, options: RedisOptions): Redis {
  if (topology.kind === 'standalone') return new Redis(topology.url, options);
  return new Redis({ ...options, ...sentinelOptionsOf(topology) });
}

/**
 * With Sentinel, ioredis asks the sentinels for the master at each (re)connection and checks that
 * the server it reached says it is the master, so a client that lost its master after a failover
 * finds the new one by itself. The failover detector also moves it when the old master stays up
 * (demoted to a replica, where every write would fail with READONLY).
 */
function sentinelOptionsOf(topology: Extract<RedisTopology, { kind: 'sentinel' }>): RedisOptions {
  return {
    ...(topology.url === undefined ? {} : credentialsOf(topology.url)),
    sentinels: topology.sentinels,
    name: topology.masterName,
    role: 'master',
    failoverDetector: true,
  };
}

/**
 * What a redis:// or rediss:// URL gives a client that the sentinels direct: the user, password,
 * database and TLS to the master (the sentinels themselves are reached without TLS or password).
 */
function credentialsOf(url: string): RedisOptions {
  const parsed = new URL(url);
  const database = /^\/(\d+)$/.exec(parsed.pathname)?.[1];
  return {
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(database === undefined ? {} : { db: Number(database) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {}, enableTLSForSentinelMode: true } : {}),
  };
}
