import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server.js';

/** The built server: `npm test` builds it once first (see build-once.ts). */
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const START_TIMEOUT_MS = 15_000;
/** Nothing tells a parent that its child listens, so it asks /health again after this pause. */
const HEALTH_POLL_INTERVAL_MS = 50;
/** The tail of the process's output kept to explain a failed start. */
const OUTPUT_KEPT_CHARS = 4000;

/** One node of the application in a child process, the only way a test can kill it for real. */
export interface NodeProcess {
  readonly url: string;
  /** Sends the signal and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Stops the process as an orchestrator does (SIGTERM), unless it has exited already. */
  stop(): Promise<void>;
  /** Whether the process is still running. */
  running(): boolean;
  /** The last of what the process wrote to stdout and stderr. */
  output(): string;
  /** How long after its spawn the process first answered GET /health with 200. */
  readonly servedAfterMs: number;
  /**
   * Resolves with the first `count` lines of output that match `pattern`, once the process has
   * written them; rejects if it exits before.
   */
  linesMatching(pattern: RegExp, count: number): Promise<string[]>;
}

/**
 * Runs `node dist/main.js` with exactly `env` (nothing of the test runner's environment leaks
 * in) on a free port, and resolves once GET /health answers 200.
 */
export async function startNodeProcess(env: Record<string, string>): Promise<NodeProcess> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    env: { LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const lines = watchLines(child.stdout);
  let hasExited = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      hasExited = true;
      resolve();
    }),
  );
  const linesMatching = (pattern: RegExp, count: number) =>
    new Promise<string[]>((resolve, reject) => {
      const check = () => {
        const matching = lines.all.filter((line) => pattern.test(line)).slice(0, count);
        if (matching.length < count) return;
        lines.events.off('line', check);
        resolve(matching);
      };
      lines.events.on('line', check);
      void exited.then(() => {
        lines.events.off('line', check);
        reject(
          new Error(
            `dist/main.js exited before writing ${count} lines like ${pattern}:\n${output}`,
          ),
        );
      });
      check();
    });

  const kill = async (signal: NodeJS.Signals) => {
    if (!hasExited) child.kill(signal);
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (hasExited) throw new Error(`dist/main.js exited before it served:\n${output}`);
    if (Date.now() > deadline) {
      await kill('SIGKILL');
      throw new Error(
        `dist/main.js did not serve /health within ${START_TIMEOUT_MS} ms:\n${output}`,
      );
    }
    if (await answersHealth(url)) {
      return {
        url,
        kill,
        stop: () => kill('SIGTERM'),
        running: () => !hasExited,
        output: () => output,
        servedAfterMs: performance.now() - spawnedAt,
        linesMatching,
      };
    }
    await delay(HEALTH_POLL_INTERVAL_MS);
  }
}

/** Every whole line the stream carries, kept, with an event per line. */
function watchLines(stream: Readable): { all: string[]; events: EventEmitter } {
  const all: string[] = [];
  const events = new EventEmitter();
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      all.push(line);
      events.emit('line');
    }
  });
  return { all, events };
}

async function answersHealth(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/health', url));
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
