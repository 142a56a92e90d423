// The child processes of a benchmark script (redis-server, Switchboard nodes, load workers): each
// with its output in a log file of one work directory, all of them killed and the directory
// removed when the script exits, fails or is interrupted.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';

export const REPO_DIR = resolve(import.meta.dirname, '..', '..');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 100;

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

const children = new Set();
let workDir;

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping\n`);
    process.exit(130);
  });
}

/** The work directory of this run, made on first use and removed at exit. */
export function workDirectory(name) {
  workDir ??= mkdtempSync(join(tmpdir(), `switchboard-${name}-`));
  return workDir;
}

function tail(path, lines) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Starts `command` with its output in a log file of the work directory. */
export function startChild(name, command, args, env, extra = {}) {
  const logPath = join(workDirectory('bench'), `${name}.log`);
  const logFd = openSync(logPath, 'w');
  const stdio = ['ignore', logFd, logFd, ...(extra.ipc ? ['ipc'] : [])];
  const child = spawn(command, args, { cwd: REPO_DIR, env, stdio });
  closeSync(logFd);
  children.add(child);
  let exited = false;
  const exit = new Promise((done) => {
    child.once('exit', () => {
      exited = true;
      children.delete(child);
      done();
    });
    // A command that cannot be started at all (ENOENT) emits only `error`.
    child.once('error', () => {
      exited = true;
      children.delete(child);
      done();
    });
  });
  return {
    name,
    child,
    pid: child.pid,
    logPath,
    hasExited: () => exited,
    log: (lines = 20) => tail(logPath, lines),
    /** SIGTERM, then SIGKILL after a bound; resolves once it has exited. */
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** A port that was free a moment ago (the kernel's pick, released at once). */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Calls `probe` every POLL_INTERVAL_MS until it resolves true; fails if `child` exits or on timeout. */
export async function waitFor(child, what, probe, timeoutMs = START_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.hasExited()) throw new Error(`${what} exited while starting:\n${child.log()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`${what} not ready within ${timeoutMs} ms:\n${child.log()}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** A fresh redis-server on a free port, without persistence, and a client of it. */
export async function startRedis(redisServer = 'redis-server') {
  const port = await freePort();
  const child = startChild('redis', redisServer, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  await waitFor(child, 'redis-server', async () => {
    if (client.status !== 'ready') {
      client.disconnect();
      await client.connect();
    }
    return (await client.ping()) === 'PONG';
  });
  return { ...child, port, url: `redis://127.0.0.1:${port}`, client };
}

/**
 * One `node dist/main.js` (or `main`) in production mode on a free port, over `redis` when given,
 * ready once `GET /health/ready` answers 200. `env` adds or overrides settings; `nodeArgs` go to
 * Node (a CPU profile).
 */
export async function startNode({ name, main, redis, keyPrefix, env = {}, nodeArgs = [] }) {
  const port = await freePort();
  const settings = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    // The highest values the configuration takes: a loop of acks stays far below them.
    RATE_LIMIT_PER_SEC: '100000',
    RATE_LIMIT_BURST: '100000',
    // Every benchmark client comes from a few loopback addresses: many users' worth of handshakes.
    HANDSHAKE_RATE_PER_IP: '100000',
    // ... and many users' worth of rooms brought into history (the highest value it takes).
    ROOMS_NEW_PER_HOUR: '10000000',
    ...(redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: keyPrefix } : {}),
    ...env,
  };
  const child = startChild(name, process.execPath, [...nodeArgs, main], settings);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(child, name, async () => {
    const response = await fetch(`${url}/health/ready`);
    await response.arrayBuffer();
    return response.status === 200;
  });
  return { ...child, url };
}
