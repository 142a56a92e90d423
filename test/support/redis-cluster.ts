import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { binaryAvailable, describeNeeding } from './needs-binary.js';
import { RedisServer } from './redis-server.js';
import { eventually, replicating } from './redis-sentinels.js';

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
  /** The masters, each serving a third (with three) of the slots. */
  readonly masters: RedisServer[] = [];
  /** Each master's replica (with `replicas: true`), by the master's port. */
  readonly replicaOf = new Map<number, RedisServer>();

  private constructor(private readonly servers: RedisServer[]) {}

  /**
   * Starts `masters` nodes (and, with `replicas`, one replica of each), gives the masters the
   * 16384 slots in equal ranges, and resolves once every node says `cluster_state:ok` and knows
   * every other, and every replica is in sync with its master.
   */
  static async start({
    masters = 3,
    replicas = false,
    persistent = false,
  } = {}): Promise<RedisCluster> {
    const servers = await Promise.all(
      Array.from({ length: replicas ? 2 * masters : masters }, () =>
        RedisServer.start({ clusterNode: true, persistent }),
      ),
    );
    const cluster = new RedisCluster(servers);
    try {
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...servers.map(({ port }) => `127.0.0.1:${port}`),
          '--cluster-replicas',
          replicas ? '1' : '0',
          '--cluster-yes',
        ],
        { timeout: CREATE_TIMEOUT_MS },
      );
      await Promise.all(servers.map((server) => cluster.settled(server)));
      await cluster.learnRoles();
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** The settings of a node of the application on this cluster. */
  get env(): { REDIS_CLUSTER_NODES: string } {
    return { REDIS_CLUSTER_NODES: this.addresses };
  }

  /** The master that serves `key`'s hash slot. */
  async masterOf(key: string): Promise<RedisServer> {
    const [slot, ranges] = await withClient(this.masters[0], async (client) => [
      Number(await client.call('CLUSTER', 'KEYSLOT', key)),
      (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][],
    ]);
    const range = ranges.find(([first, last]) => slot >= first && slot <= last);
    const master = this.masters.find(({ port }) => port === range?.[2][1]);
    if (master === undefined) throw new Error(`no master serves the slot of ${key}`);
    return master;
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

  /** Stops every node (SIGTERM); each keeps its slots in its directory, and its data if persistent. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  /** Starts every node again, and resolves once the cluster serves every slot again. */
  async start(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.start()));
    await Promise.all(this.servers.map((server) => this.settled(server)));
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** A connection to the master of `key`'s slot, for commands a cluster client cannot route. */
  async connectionTo(key: string): Promise<Redis> {
    const master = await this.masterOf(key);
    return new Redis(master.port, '127.0.0.1');
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close()));
  }

  /** Sorts the servers into masters and replicas, and waits for each replica to be in sync. */
  private async learnRoles(): Promise<void> {
    for (const server of this.servers) {
      const role = (await withClient(server, (client) => client.call('ROLE'))) as unknown[];
      if (role[0] === 'master') this.masters.push(server);
      else this.replicaOf.set(Number(role[2]), server);
    }
    await Promise.all([...this.replicaOf.values()].map((replica) => replicating(replica)));
  }

  /** Resolves once `server` serves every slot and counts every node of the cluster. */
  private settled(server: RedisServer): Promise<true> {
    return eventually(`the cluster node on ${server.port} settled`, () =>
      withClient(server, async (client) => {
        const info = await client.call('CLUSTER', 'INFO');
        const ok =
          typeof info === 'string' &&
          info.includes('cluster_state:ok') &&
          info.includes(`cluster_known_nodes:${this.servers.length}`);
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
