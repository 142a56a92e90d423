import { setTimeout as delay } from 'node:timers/promises';
import { get, type HttpReply } from './http.js';
import { startNodeProcess, type NodeProcess } from './node-process.js';
import { uniquePrefix } from './redis-server.js';
import {
  startRedisUnderTest,
  type RedisTopologyUnderTest,
  type RedisUnderTest,
} from './redis-under-test.js';
import { ROOMS_TEST_ENV } from './rooms.js';
import { startServer, TEST_ADDRESS_LIMITS_ENV, type RunningServer } from './server.js';

export interface ClusterOptions {
  /** How many in-process nodes; three unless told. */
  size?: number;
  /** Settings of every node beyond Redis's and ROOMS_TEST_ENV. */
  env?: Record<string, string>;
  /** Redis keeps its data through a restart (append-only file). */
  persistent?: boolean;
  /** The Redis under the nodes, whatever SWITCHBOARD_TEST_REDIS says (see redis-under-test.ts). */
  topology?: RedisTopologyUnderTest;
}

/**
 * Several nodes of the application over one Redis (or a Redis Cluster: see redis-under-test.ts)
 * and one key prefix, as a deployment runs them.
 */
export interface Cluster {
  /** The in-process nodes' URLs, in the order they started: A, B, C… */
  readonly urls: string[];
  /** The in-process nodes' applications, in the same order. */
  readonly apps: RunningServer['app'][];
  readonly redis: RedisUnderTest;
  /** The deployment's REDIS_KEY_PREFIX, which starts its keys and channels in Redis. */
  readonly keyPrefix: string;
  /** One more node, in a child process so that a test can kill it; stopped with the others. */
  startProcessNode(): Promise<NodeProcess>;
  /** Stops every node, in-process or not (Redis keeps running). */
  stopNodes(): Promise<void>;
  /** Starts the in-process nodes again, on new ports, over the same Redis and prefix. */
  startNodes(): Promise<void>;
  /** Stops Redis; resolves with each in-process node's GET /health/ready once it answers 503. */
  stopRedis(): Promise<HttpReply<Readiness>[]>;
  /** Starts Redis again; resolves once each in-process node's GET /health/ready answers 200. */
  startRedis(): Promise<HttpReply<Readiness>[]>;
}

/**
 * The cluster of one `describe` block, over a Redis of its own with a key prefix of its own:
 * started before its first test, stopped after its last. Read it inside tests or hooks.
 */
export function useCluster(name: string, options: ClusterOptions = {}): Cluster {
  const size = options.size ?? 3;
  let redis: RedisUnderTest | undefined;
  let env: Record<string, string> = {};
  let nodes: RunningServer[] = [];
  const processNodes = new Set<NodeProcess>();
  let redisAway = false;

  const started = () => {
    if (!redis) throw new Error('the cluster is not started yet: use it inside a test or hook');
    return redis;
  };
  const cluster: Cluster = {
    get urls() {
      started();
      return nodes.map((node) => node.url);
    },
    get apps() {
      started();
      return nodes.map((node) => node.app);
    },
    get redis() {
      return started();
    },
    get keyPrefix() {
      started();
      return env.REDIS_KEY_PREFIX;
    },
    async startProcessNode() {
      started();
      const node = await startNodeProcess(env);
      processNodes.add(node);
      return node;
    },
    async stopNodes() {
      const stopping = [
        ...nodes.map((node) => node.close()),
        ...[...processNodes].map((node) => node.stop()),
      ];
      nodes = [];
      processNodes.clear();
      await Promise.all(stopping);
    },
    async startNodes() {
      nodes = await startAll(size, env);
    },
    async stopRedis() {
      redisAway = true;
      await started().stop();
      return everyNode(503);
    },
    async startRedis() {
      await started().start();
      redisAway = false;
      return everyNode(200);
    },
  };
  const everyNode = (status: 200 | 503) =>
    Promise.all(nodes.map((node) => readiness(node.url, status)));

  beforeAll(async () => {
    redis = await startRedisUnderTest({
      persistent: options.persistent,
      topology: options.topology,
    });
    env = {
      // For the nodes in child processes, which startServer does not configure.
      ...TEST_ADDRESS_LIMITS_ENV,
      ...ROOMS_TEST_ENV,
      ...options.env,
      ...redis.env,
      REDIS_KEY_PREFIX: uniquePrefix(name),
    };
    await cluster.startNodes();
  });
  // A test that failed while Redis was away must not leave the next one without it.
  afterEach(async () => {
    if (redisAway) await cluster.startRedis();
  });
  afterAll(async () => {
    try {
      await cluster.stopNodes();
    } finally {
      await redis?.close();
    }
  });
  return cluster;
}

/** Starts `size` nodes at once; when one fails, stops the others before failing. */
async function startAll(size: number, env: Record<string, string>): Promise<RunningServer[]> {
  const results = await Promise.allSettled(Array.from({ length: size }, () => startServer(env)));
  const nodes = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(nodes.map((node) => node.close()));
    throw failure.reason;
  }
  return nodes;
}

export interface Readiness {
  status: string;
  failed?: unknown;
}

const READINESS_TIMEOUT_MS = 15_000;
/** No event says that a node's dependencies answer again, so readiness is asked again after this. */
const READINESS_POLL_INTERVAL_MS = 100;

/** Resolves with the first GET /health/ready of `url` that answers `status`, within a bound. */
export async function readiness(url: string, status: 200 | 503): Promise<HttpReply<Readiness>> {
  const deadline = Date.now() + READINESS_TIMEOUT_MS;
  for (;;) {
    const reply = await get<Readiness>(url, '/health/ready');
    if (reply.status === status) return reply;
    if (Date.now() > deadline) {
      throw new Error(
        `GET ${url}/health/ready still answers ${reply.status} ${JSON.stringify(reply.body)} ` +
          `after ${READINESS_TIMEOUT_MS} ms, not ${status}`,
      );
    }
    await delay(READINESS_POLL_INTERVAL_MS);
  }
}
