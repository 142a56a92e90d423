import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, RedisServer } from './redis-server.js';

/**
 * Replication and Sentinel for the tests, with Debian's `redis-server` alone: a replica is a
 * server started with `--replicaof`, a sentinel is `redis-server <file> --sentinel`.
 */

const START_TIMEOUT_MS = 10_000;
/** Nothing tells a test that replication or the sentinels settled: they are asked again after this. */
const POLL_INTERVAL_MS = 50;

/** Resolves once `check` answers something other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = START_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? lastError.message : 'not yet';
      throw new Error(`${what}: not within ${timeoutMs} ms (${reason})`);
    }
    await delay(POLL_INTERVAL_MS);
  }
}

/** Runs `command` on a short-lived client of the server on `port`. */
async function ask<T>(port: number, command: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await command(client);
  } finally {
    client.disconnect();
  }
}

/**
 * Resolves once the replica has its master's data and its master counts it in `WAIT`: after a
 * diskless sync, only from the replica's first acknowledgement (sent every second).
 */
export function replicating(replica: RedisServer): Promise<true> {
  return eventually(`the replica on ${replica.port} in sync`, async () => {
    const info = await ask(replica.port, (client) => client.info('replication'));
    const masterPort = /master_port:(\d+)/.exec(info)?.[1];
    if (!/master_link_status:up/.test(info) || masterPort === undefined) return undefined;
    const onMaster = await ask(Number(masterPort), (client) => client.info('replication'));
    return onMaster.includes(`port=${replica.port},state=online`) ? true : undefined;
  });
}

/** A master and one replica of it, in sync. */
export async function startReplicatedRedis(): Promise<[RedisServer, RedisServer]> {
  const master = await RedisServer.start();
  const replica = await RedisServer.start({ replicaOf: master.port });
  await replicating(replica);
  return [master, replica];
}

/** Sentinel timings that make a failover take a couple of seconds instead of a minute. */
const DOWN_AFTER_MS = 500;
const FAILOVER_TIMEOUT_MS = 3000;

/** Sentinels watching one master by `name`, each a process of its own on a free port. */
export class Sentinels {
  private constructor(
    readonly name: string,
    private readonly ports: number[],
    private readonly processes: ChildProcess[],
    private readonly dir: string,
  ) {}

  /** Starts `count` sentinels on `master`, needing `quorum` of them to agree that it is down. */
  static async start(master: RedisServer, name: string, count = 3, quorum = 2): Promise<Sentinels> {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-sentinel-'));
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const processes = await Promise.all(
      ports.map((port, index) => {
        const file = join(dir, `sentinel-${index}.conf`);
        writeFileSync(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${name} 127.0.0.1 ${master.port} ${quorum}`,
            `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
            `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
            `sentinel parallel-syncs ${name} 1`,
            '',
          ].join('\n'),
        );
        return startSentinel(file);
      }),
    );
    return new Sentinels(name, ports, processes, dir);
  }

  /** `host:port,host:port,…`, as REDIS_SENTINELS takes them. */
  get addresses(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /**
   * Resolves once every sentinel knows `replicas` healthy replicas and every other sentinel: only
   * then can they agree on a failover.
   */
  async watching(replicas: number): Promise<void> {
    await Promise.all(
      this.ports.map((port) =>
        eventually(`the sentinel on ${port} watching the master`, () =>
          ask(port, async (client) => {
            const known = (await client.call('SENTINEL', 'REPLICAS', this.name)) as string[][];
            const others = (await client.call('SENTINEL', 'SENTINELS', this.name)) as unknown[];
            const healthy = known.filter((fields) => fieldOf(fields, 'flags') === 'slave');
            return healthy.length === replicas && others.length === this.ports.length - 1
              ? true
              : undefined;
          }),
        ),
      ),
    );
  }

  /** The port of the master that the first sentinel names now. */
  masterPort(): Promise<number> {
    return ask(this.ports[0], async (client) => {
      const [, port] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)) as [
        string,
        string,
      ];
      return Number(port);
    });
  }

  /** Resolves with the new master's port once every sentinel names another than `oldPort`. */
  async failedOverFrom(oldPort: number, timeoutMs: number): Promise<number> {
    return eventually(
      `a failover away from ${oldPort}`,
      async () => {
        const port = await this.masterPort();
        return port === oldPort ? undefined : port;
      },
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    await Promise.all(
      this.processes.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A field of Redis's flat `[name, value, name, value…]` answer. */
function fieldOf(fields: string[], name: string): string | undefined {
  const index = fields.indexOf(name);
  return index < 0 ? undefined : fields[index + 1];
}

async function startSentinel(file: string): Promise<ChildProcess> {
  const child = spawn('redis-server', [file, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`a sentinel did not start within ${START_TIMEOUT_MS} ms: ${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('+monitor master')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`a sentinel exited with ${code}: ${output}`));
    });
  });
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}
