// What both benchmarked servers share when the runner starts them as child processes: a tiny
// stats endpoint on its own loopback port (memory after a forced GC, CPU time used), the
// announcement of their ports over the IPC channel, and an exit when the runner goes away.
// Identical for both servers, so whatever it costs, it costs both.
import { createServer } from 'node:http';

const GC_PASSES = 3;

/** Runs a full GC a few times, letting finalizers and weak references settle in between. */
async function collectGarbage() {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('start the server with --expose-gc');
  }
  for (let pass = 0; pass < GC_PASSES; pass += 1) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function readStats(withGc) {
  if (withGc) await collectGarbage();
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    timeMs: performance.now(),
    cpuUs: cpu.user + cpu.system,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
  };
}

/** `GET /stats` (add `?gc=1` to collect garbage first) on 127.0.0.1, on a port the kernel picks. */
function startStatsEndpoint() {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== '/stats') {
      response.writeHead(404).end();
      return;
    }
    readStats(url.searchParams.get('gc') === '1').then(
      (stats) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(stats));
      },
      (error) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/**
 * Call once the server listens on `port`: starts the stats endpoint and tells the runner
 * `{ type: 'ready', port, statsPort }`. Exits when the runner disconnects or sends SIGTERM (a
 * normal exit, so that `--cpu-prof` gets to write its profile).
 */
export async function announceReady(port) {
  const statsPort = await startStatsEndpoint();
  process.once('SIGTERM', () => process.exit(0));
  process.once('SIGINT', () => process.exit(0));
  if (process.send) {
    process.once('disconnect', () => process.exit(0));
    process.send({ type: 'ready', port, statsPort });
  } else {
    process.stdout.write(`listening on 127.0.0.1:${port}, stats on 127.0.0.1:${statsPort}\n`);
  }
}

/** Environment settings a benchmark run applies to both servers. */
export function benchEnvironment(env = process.env) {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    ...env,
    PORT: '0',
  };
}
