import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisSettings, RedisTopology } from '../../config/redis-settings.js';

/**
 * What the stores run their commands and scripts on: one Redis (at REDIS_URL, or the master the
 * sentinels name) or a Redis Cluster, which sends each command to the master of its keys' hash
 * slot. Both take the same commands; only a command whose keys span slots is refused by a cluster.
 */
export type RedisCommands = Redis | Cluster;

/**
 * The client of the stores for any topology, with `options` for its behaviour: a Redis Cluster
 * client with a cluster (see redisClusterClientOf), else that of redisClientOf.
 */
export function commandClientOf(settings: RedisSettings, options: RedisOptions): RedisCommands {
  return settings.topology.kind === 'cluster'
    ? redisClusterClientOf(settings, options)
    : redisClientOf(settings, options);
}

/**
 * A client of the deployment's Redis master, with `options` for its behaviour: the one place that
 * turns the topology of the settings into a connection, so that every client of a node (and every
 * copy made with `duplicate()`, which keeps these options) reaches the same master. A Redis
 * Cluster has no one master: its clients come from redisClusterClientOf.
 */
export function redisClientOf({ topology }: RedisSettings, options: RedisOptions): Redis {
  if (topology.kind === 'standalone') return new Redis(topology.url, options);
  if (topology.kind === 'sentinel')
    return new Redis({ ...options, ...sentinelOptionsOf(topology) });
  throw new Error('a Redis Cluster has no one master: use redisClusterClientOf');
}

/**
 * A Redis Cluster client, from the seeds of REDIS_CLUSTER_NODES (it learns the other nodes and the
 * slots from them), with REDIS_URL's user, password and TLS for every node. `options` are those a
 * one-Redis client would get: each goes where ioredis's Cluster takes it (the offline queue, the
 * reconnection and auto-pipelining belong to the cluster, the rest to each node's connection).
 * Reads go to masters, as with one Redis, so that a read sees every write acknowledged before it.
 * `cluster` adds options of the cluster itself: `shardedSubscribers: true` for a client that
 * SSUBSCRIBEs (one subscriber connection per master, each following its slots).
 */
export function redisClusterClientOf(
  { topology }: RedisSettings,
  options: RedisOptions,
  cluster: Pick<ClusterOptions, 'shardedSubscribers' | 'slotsRefreshInterval'> = {},
): Cluster {
  if (topology.kind !== 'cluster') throw new Error('REDIS_CLUSTER_NODES is not set');
  const { enableOfflineQueue, retryStrategy, enableAutoPipelining, lazyConnect, ...perNode } =
    options;
  return new Cluster(topology.nodes, {
    ...cluster,
    scaleReads: 'master',
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(retryStrategy === undefined ? {} : { clusterRetryStrategy: retryStrategy }),
    ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    redisOptions: {
      ...perNode,
      ...(topology.url === undefined ? {} : credentialsOf(topology.url)),
    },
  });
}

/**
 * With Sentinel, ioredis asks the sentinels for the master at each (re)connection and checks that
 * the server it reached says it is the master, so a client that lost its master after a failover
 * finds the new one by itself. The failover detector also moves it when the old master stays up
 * (demoted to a replica, where every write would fail with READONLY).
 */
function sentinelOptionsOf(topology: Extract<RedisTopology, { kind: 'sentinel' }>): RedisOptions {
  const credentials = topology.url === undefined ? {} : credentialsOf(topology.url);
  return {
    ...credentials,
    ...(credentials.tls === undefined ? {} : { enableTLSForSentinelMode: true }),
    sentinels: topology.sentinels,
    name: topology.masterName,
    role: 'master',
    failoverDetector: true,
  };
}

/**
 * What a redis:// or rediss:// URL gives a client whose servers the sentinels or the cluster name:
 * the user, password, database and TLS (the sentinels themselves are reached without TLS or
 * password; a cluster's database is always 0, which the settings check).
 */
function credentialsOf(url: string): RedisOptions {
  const parsed = new URL(url);
  const database = /^\/(\d+)$/.exec(parsed.pathname)?.[1];
  return {
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(database === undefined ? {} : { db: Number(database) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
