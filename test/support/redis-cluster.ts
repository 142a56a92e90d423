import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { binaryAvailable, describeNeeding } from './needs-binary.js';
import { RedisServer } from './redis-server.js';
import { eventually } from './redis-sentinels.js';

/**
 * A real Redis Cluster for the tests: masters that are Debian's `redis-server` with
 * `cluster-enabled yes`, joined by `redis-cli --cluster create`. Locally, without those binaries,
 * the tests that need it are skipped loudly; with `CI=true` they fail instead.
 */

const run = promisify(execFile);
const CREATE_TIMEOUT_MS = 20_000;

const clusterBinaries = {
  available:
    binaryAvailable('redis-server', '--version') && binaryAvailable('redis-cli', '--version'),
  name: 'redis-server and redis-cli',
  install: 'apt-get install redis-server',
};

/** `describe` when a Redis Cluster can be started here (always under CI); see `describeNeeding`. */
export function describeWithRedisCluster(name: string, body: () => void): void {
  describeNeeding(clusterBinaries, name, body);
}

export class RedisCluster {
  private constructor(readonly masters: RedisServer[]) {}

  /**
   * Starts `masters` nodes (no replicas), gives them the 16384 slots in equal ranges, and
   * resolves once every node says `cluster_state:ok` and knows every other.
   */
  static async start(masters = 3): Promise<RedisCluster> {
    const servers = await Promise.all(
      Array.from({ length: masters }, () => RedisServer.start({ clusterNode: true })),
    );
    const cluster = new RedisCluster(servers);
    try {
      await run(
        'redis-cli',
        ['--cluster', 'create', ...servers.map(({ port }) => `127.0.0.1:${port}`), '--cluster-yes'],
        { timeout: CREATE_TIMEOUT_MS },
      );
      await Promise.all(servers.map((server) => cluster.settled(server)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** `host:port,host:port,…`, as REDIS_CLUSTER_NODES takes them. */
  get addresses(): string {
    return this.masters.map(({ port }) => `127.0.0.1:${port}`).join(',');
  }

  get nodes(): { host: string; port: number }[] {
    return this.masters.map(({ port }) => ({ host: '127.0.0.1', port }));
  }

  /** A client of the cluster for a test's own reads and writes (close it with `quit()`). */
  client(): Cluster {
    return new Cluster(this.nodes);
  }

  /** How many keys starting with `prefix` each master holds, in the order of `masters`. */
  async keysPerMaster(prefix: string): Promise<number[]> {
    return Promise.all(
      this.masters.map((server) =>
        withClient(server, async (client) => (await client.keys(`${prefix}*`)).length),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.masters.map((server) => server.close()));
  }

  /** Resolves once `server` serves every slot and counts every master in the cluster. */
  private settled(server: RedisServer): Promise<true> {
    return eventually(`the cluster node on ${server.port} settled`, () =>
      withClient(server, async (client) => {
        const info = await client.call('CLUSTER', 'INFO');
        const ok =
          typeof info === 'string' &&
          info.includes('cluster_state:ok') &&
          info.includes(`cluster_known_nodes:${this.masters.length}`);
        return ok ? true : undefined;
      }),
    );
  }
}

async function withClient<T>(server: RedisServer, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(server.port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}
