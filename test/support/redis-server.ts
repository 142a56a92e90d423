import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryAvailable, describeNeeding } from './needs-binary.js';

/**
 * A real `redis-server` for the tests that need one, on a free loopback port. Locally, without
 * the binary, those tests are skipped with a loud warning; with `CI=true` they fail instead.
 */

const REDIS_BINARY = 'redis-server';
const START_TIMEOUT_MS = 10_000;

const redis = {
  available: binaryAvailable(REDIS_BINARY, '--version'),
  name: 'redis-server',
  install: 'apt-get install redis-server',
};

/** `describe` when redis-server is installed (always under CI); see `describeNeeding`. */
export function describeWithRedis(name: string, body: () => void): void {
  describeNeeding(redis, name, body);
}

/** A key prefix no other test file or run shares, so that runs on one Redis never meet. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${randomBytes(4).toString('hex')}:`;
}

export interface RedisServerOptions {
  /** Append-only file on, in a temporary directory, so that data survives a restart. */
  persistent?: boolean;
  /** Starts as a replica of the server on this loopback port (`--replicaof`). */
  replicaOf?: number;
  /** A node of a Redis Cluster (see redis-cluster.ts), which knows its cluster in its directory. */
  clusterNode?: boolean;
}

export class RedisServer {
  private process?: ChildProcess;
  private readonly dir: string;

  private replicaOf: number | undefined;

  private constructor(
    readonly port: number,
    private readonly options: RedisServerOptions,
  ) {
    this.replicaOf = options.replicaOf;
    this.dir = mkdtempSync(join(tmpdir(), 'switchboard-redis-'));
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = await RedisServer.reserve(options);
    await server.start();
    return server;
  }

  /** A server on a free port where nothing listens until `start()`: a Redis that does not answer yet. */
  static async reserve(options: RedisServerOptions = {}): Promise<RedisServer> {
    return new RedisServer(await freePort(), options);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again, on the same port and directory) and resolves once it accepts connections. */
  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--dir',
      this.dir,
      '--appendonly',
      this.options.persistent ? 'yes' : 'no',
      '--appendfsync',
      'always',
      ...(this.replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(this.replicaOf)]),
      ...(this.options.clusterNode
        ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, 'nodes.conf')]
        : []),
    ];
    const child = spawn(REDIS_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms: ${output}`)),
        START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
    });
    child.stdout.removeAllListeners('data');
    child.stderr.removeAllListeners('data');
    child.stdout.resume();
    child.stderr.resume();
  }

  /** Stops the server (SIGTERM: with the append-only file on, what was written is kept). */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    await waitUntilClosed(this.port);
  }

  /** Kills the server without a goodbye (SIGKILL), as a crash of its machine would. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    await waitUntilClosed(this.port);
  }

  /** Freezes the process (SIGSTOP): it keeps its connections but answers nothing until `resume`. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Starts it again as a replica of the server on `port` (as an old master comes back). */
  async startAsReplicaOf(port: number): Promise<void> {
    this.replicaOf = port;
    await this.start();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server and removes its directory. */
  async close(): Promise<void> {
    this.resume();
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resolves once nothing accepts connections on the port any more. */
async function waitUntilClosed(port: number): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connectTcp(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (!open) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
