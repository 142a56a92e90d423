// The system under test: one redis-server whose data survives its restarts, and Switchboard nodes
// (`node dist/main.js`), each on a port of its own that it keeps across restarts, as a node behind
// a load balancer does. Their output goes to log files of the work directory, one per start.
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  REPO_DIR,
  freePort,
  startChild,
  waitFor,
  workDirectory,
} from '../bench/support/processes.mjs';

const MAIN = join(REPO_DIR, 'dist', 'main.js');
export const START_TIMEOUT_MS = 30_000;
/** A node's own shutdown deadline is 10 s (src/main.ts); past this one, SIGTERM did not work. */
const EXIT_TIMEOUT_MS = 15_000;
const PING_TIMEOUT_MS = 1000;
/** The end of a process's log shown in a violation: where it failed. */
export const LOG_LINES_SHOWN = 15;

/** Resolves with the process's exit once it has exited, or undefined after `ms`. */
function exitWithin(exited, ms) {
  let timer;
  return Promise.race([
    exited,
    new Promise((resolve) => (timer = setTimeout(resolve, ms, undefined))),
  ]).finally(() => clearTimeout(timer));
}

/** One handle for the runs of one program: each start is a new child with its own log. */
class Restartable {
  constructor(name, timeline) {
    this.name = name;
    this.timeline = timeline;
    this.startCount = 0;
    /** 'down', 'starting', 'up' or 'stopping'. */
    this.state = 'down';
    this.stopping = false;
  }

  spawn(command, args, env) {
    this.startCount++;
    this.stopping = false;
    this.state = 'starting';
    const child = startChild(`${this.name}.${this.startCount}`, command, args, env);
    const startedAt = this.timeline.now();
    this.handle = child;
    this.exited = new Promise((resolve) =>
      child.child.once('exit', (code, signal) => {
        this.state = 'down';
        const exit = {
          code,
          signal,
          atMs: this.timeline.now(),
          uptimeMs: this.timeline.now() - startedAt,
        };
        if (!this.stopping) this.onUnexpectedExit?.(exit, child.log(LOG_LINES_SHOWN));
        resolve(exit);
      }),
    );
    return child;
  }

  /** Sends `signal` and resolves with the exit; after EXIT_TIMEOUT_MS, SIGKILL (reported as `late`). */
  async stop(signal) {
    if (this.state === 'down') return undefined;
    this.stopping = true;
    this.state = 'stopping';
    const sentAt = this.timeline.now();
    this.handle.child.kill(signal);
    let exit = await exitWithin(this.exited, EXIT_TIMEOUT_MS);
    let late = false;
    if (!exit) {
      late = true;
      this.handle.child.kill('SIGKILL');
      exit = await this.exited;
    }
    return { ...exit, tookMs: exit.atMs - sentAt, late, log: this.handle.log(LOG_LINES_SHOWN) };
  }
}

/** Whether a Redis server answers PING on `port` within PING_TIMEOUT_MS. */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const finish = (answer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(finish, PING_TIMEOUT_MS, false);
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      // `-LOADING` while it reads its data back: not ready yet.
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

/**
 * redis-server with an append-only file fsynced on every write: a restart, even after SIGKILL,
 * keeps every write that it acknowledged, as the contract's promise about accepted notifications
 * and stored messages needs.
 */
export class RedisProcess extends Restartable {
  static async create(timeline) {
    const redis = new RedisProcess('redis', timeline);
    redis.port = await freePort();
    redis.dataDir = join(workDirectory('chaos'), 'redis-data');
    mkdirSync(redis.dataDir, { recursive: true });
    await redis.start();
    return redis;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start() {
    // Each start writes to the same directory and port.
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dataDir];
    args.push('--save', '', '--appendonly', 'yes', '--appendfsync', 'always');
    const child = this.spawn('redis-server', args, { PATH: process.env.PATH });
    await waitFor(child, 'redis-server', () => answersPing(this.port), START_TIMEOUT_MS);
    this.state = 'up';
  }
}

/** One Switchboard node; `env` holds the settings shared by every node. */
export class SwitchboardNode extends Restartable {
  static async create(name, timeline, env) {
    const node = new SwitchboardNode(name, timeline);
    node.port = await freePort();
    node.env = env;
    /** Each start that served /health: `{ fromMs, toMs }`. */
    node.served = [];
    return node;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Resolves true once GET /health answers 200 (the node serves; it may not be ready while Redis
   * is away), false when the process exited first (its exit is reported as unexpected).
   */
  async start() {
    const env = { PATH: process.env.PATH, ...this.env, PORT: String(this.port) };
    const child = this.spawn(process.execPath, [MAIN], env);
    const startedMs = this.timeline.now();
    try {
      await waitFor(child, this.name, () => this.answers('/health'), START_TIMEOUT_MS);
    } catch {
      // Exited (reported as unexpected), or still not serving: a failed start either way.
      return false;
    }
    this.state = 'up';
    this.served.push({ fromMs: startedMs, toMs: this.timeline.now() });
    return true;
  }

  /** Whether GET `path` answers 200 now. */
  async answers(path) {
    try {
      const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }
}
