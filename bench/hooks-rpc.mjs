// rpc through a local application backend beside session:ping, on one Switchboard (dist/): how
// much one hook round trip adds to an event. The backend is a plain node:http server in a child
// process of its own that answers every rpc at once; Switchboard runs as in production.
//
//   npm run build && node bench/hooks-rpc.mjs
//   node bench/hooks-rpc.mjs --clients 50 --duration 5 --warmup 1
//   node bench/hooks-rpc.mjs --cpu-prof /tmp/profiles    a CPU profile of Switchboard
//
// Prints round trips per second and p50 / p99 latency of each, measured in alternating slices.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectClient, request } from './support/clients.mjs';
import { REPO_DIR, startNode } from './support/processes.mjs';

const SECRET = 'a-bench-hook-secret-of-32-chars!';

if (process.argv[2] === '--backend') {
  // The application backend: answers every rpc with a small data object, keep-alive on.
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"total":3}}');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

async function main() {
  const { values: options } = parseArgs({
    args: process.argv.slice(2),
    options: {
      clients: { type: 'string', default: '50' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      slice: { type: 'string', default: '1' },
      'cpu-prof': { type: 'string' },
    },
  });
  const backend = fork(import.meta.filename, ['--backend'], { stdio: 'ignore' });
  const [backendPort] = await once(backend, 'message');
  const node = await startNode({
    name: 'switchboard-hooks',
    main: join(REPO_DIR, 'dist', 'main.js'),
    env: { HOOK_RPC_URL: `http://127.0.0.1:${backendPort}/rpc`, HOOK_SECRET: SECRET },
    nodeArgs: options['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${options['cpu-prof']}`] : [],
  });
  try {
    const sockets = await Promise.all(
      Array.from({ length: Number(options.clients) }, (_, index) =>
        connectClient(node.url, `bench-${index}`),
      ),
    );
    const operations = {
      'session:ping': (socket) => request(socket, 'session:ping'),
      rpc: (socket) => request(socket, 'rpc', { method: 'cart.total', data: { cartId: 7 } }),
    };
    const measured = Object.fromEntries(Object.keys(operations).map((name) => [name, []]));
    const seconds = Object.fromEntries(Object.keys(operations).map((name) => [name, 0]));
    for (const operation of Object.values(operations)) {
      await loop(sockets, operation, Number(options.warmup) * 1000, []);
    }
    const sliceMs = Number(options.slice) * 1000;
    for (let done = 0; done < Number(options.duration) * 1000; done += sliceMs) {
      for (const [name, operation] of Object.entries(operations)) {
        seconds[name] += await loop(sockets, operation, sliceMs, measured[name]);
      }
    }
    for (const socket of sockets) socket.disconnect();
    console.log(`| event | round trips/s | p50 ms | p99 ms |  (${options.clients} clients)`);
    console.log('| --- | --- | --- | --- |');
    for (const name of Object.keys(operations)) {
      const sorted = Float64Array.from(measured[name]).sort();
      const at = (fraction) =>
        sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
      console.log(
        `| ${name} | ${Math.round(sorted.length / seconds[name])} | ${at(0.5).toFixed(2)} | ${at(0.99).toFixed(2)} |`,
      );
    }
  } finally {
    await node.stop();
    backend.kill();
  }
}

/** A closed loop on every client for `ms`; returns the seconds it took, latencies into `into`. */
async function loop(sockets, operation, ms, into) {
  const start = performance.now();
  const stopAt = start + ms;
  await Promise.all(
    sockets.map(async (socket) => {
      while (performance.now() < stopAt) {
        const begin = performance.now();
        await operation(socket);
        into.push(performance.now() - begin);
      }
    }),
  );
  return (performance.now() - start) / 1000;
}
