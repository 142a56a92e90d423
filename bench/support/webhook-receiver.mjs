// A webhook receiver for benchmarks: counts the events of every delivery and answers 204 (after
// `delayMs`, to play a backend that far away). Run on its own for `npm run bench` with webhooks on:
//
//   node bench/support/webhook-receiver.mjs --port 4000 [--delay-ms 50]
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

/** Starts the receiver on 127.0.0.1:`port` (0: the kernel's pick); `stats` counts what came. */
export function startWebhookReceiver({ port = 0, delayMs = 0 } = {}) {
  const stats = { deliveries: 0, events: 0, ids: new Set(), repeats: 0 };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const { events } = JSON.parse(Buffer.concat(chunks).toString());
      stats.deliveries += 1;
      for (const { id } of events) {
        if (stats.ids.has(id)) stats.repeats += 1;
        else stats.ids.add(id);
      }
      stats.events += events.length;
      const answer = () => response.writeHead(204).end();
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/webhooks`,
        stats,
        close: () => new Promise((done) => server.close(done)),
      }),
    );
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4000' },
      'delay-ms': { type: 'string', default: '0' },
    },
  });
  const receiver = await startWebhookReceiver({
    port: Number(values.port),
    delayMs: Number(values['delay-ms']),
  });
  process.stdout.write(`receiving webhooks at ${receiver.url}\n`);
  setInterval(() => {
    const { deliveries, events, repeats } = receiver.stats;
    process.stdout.write(`${deliveries} deliveries, ${events} events, ${repeats} repeats\n`);
  }, 10_000).unref();
  process.once('SIGTERM', () => process.exit(0));
}
