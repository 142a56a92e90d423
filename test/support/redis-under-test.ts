import { Redis } from 'ioredis';
import { RedisCluster } from './redis-cluster.js';
import { RedisServer } from './redis-server.js';

/**
 * The Redis that the multi-node suites run their nodes over: one `redis-server`, or with
 * `SWITCHBOARD_TEST_REDIS=cluster` a Redis Cluster of three masters, so that the same suites prove
 * both topologies (`.ci/run` runs them once more that way).
 */
export type RedisTopologyUnderTest = 'one Redis' | 'Redis Cluster';

export const TEST_REDIS_TOPOLOGY: RedisTopologyUnderTest =
  process.env.SWITCHBOARD_TEST_REDIS === 'cluster' ? 'Redis Cluster' : 'one Redis';

export interface RedisUnderTest {
  /** The settings that point a node at it: REDIS_URL, or REDIS_CLUSTER_NODES. */
  readonly env: Record<string, string>;
  /** A connection to the server that holds `key` (close it with `quit()`). */
  connectionTo(key: string): Promise<Redis>;
  /** Stops every server; data is kept only when started persistent. */
  stop(): Promise<void>;
  /** Starts every server again and resolves once all of it serves again. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes its files. */
  close(): Promise<void>;
}

/** Starts the Redis of `topology`, TEST_REDIS_TOPOLOGY unless told. */
export async function startRedisUnderTest(options: {
  persistent?: boolean;
  topology?: RedisTopologyUnderTest;
}): Promise<RedisUnderTest> {
  if ((options.topology ?? TEST_REDIS_TOPOLOGY) === 'Redis Cluster') {
    const cluster = await RedisCluster.start({ persistent: options.persistent });
    return {
      env: cluster.env,
      connectionTo: (key) => cluster.connectionTo(key),
      stop: () => cluster.stop(),
      start: () => cluster.start(),
      restart: () => cluster.restart(),
      close: () => cluster.close(),
    };
  }
  const server = await RedisServer.start({ persistent: options.persistent });
  return {
    env: { REDIS_URL: server.url },
    connectionTo: () => Promise.resolve(new Redis(server.url)),
    stop: () => server.stop(),
    start: () => server.start(),
    restart: () => server.restart(),
    close: () => server.close(),
  };
}
