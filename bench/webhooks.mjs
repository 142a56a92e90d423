// How many webhook events one node records and delivers per second: N clients send chat:send in
// a closed loop, each to a room of its own, for `--duration` seconds; every stored message is a
// message.created event for a local receiver (bench/support/webhook-receiver.mjs). Prints the
// sends answered per second, the events delivered per second during the window, how long the
// backlog took to drain after it, and whether every event arrived once.
//
//   npm run build && node bench/webhooks.mjs [--redis] [--clients 20] [--duration 10]
//                                            [--receiver-delay-ms 0] [--concurrency 4]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectClient, request } from './support/clients.mjs';
import { REPO_DIR, sleep, startNode, startRedis } from './support/processes.mjs';
import { startWebhookReceiver } from './support/webhook-receiver.mjs';

const API_KEY = 'bench-api-key-of-some-length';
const DRAIN_TIMEOUT_MS = 60_000;

const { values: options } = parseArgs({
  options: {
    redis: { type: 'boolean', default: false },
    clients: { type: 'string', default: '20' },
    duration: { type: 'string', default: '10' },
    'receiver-delay-ms': { type: 'string', default: '0' },
    concurrency: { type: 'string', default: '4' },
  },
});

const receiver = await startWebhookReceiver({ delayMs: Number(options['receiver-delay-ms']) });
const redis = options.redis ? await startRedis() : undefined;
const node = await startNode({
  name: 'switchboard',
  main: join(REPO_DIR, 'dist', 'main.js'),
  redis,
  keyPrefix: 'bench-webhooks:',
  env: {
    API_KEY,
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: 'bench-webhook-secret',
    WEBHOOK_CONCURRENCY: options.concurrency,
    // Only the events counted: the clients' joins would add presence events of their own.
    WEBHOOK_EVENTS: 'message.created',
  },
});

async function status() {
  const response = await fetch(`${node.url}/api/webhooks`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  return response.json();
}

const clients = await Promise.all(
  Array.from({ length: Number(options.clients) }, (_, i) => connectClient(node.url, `c${i}`)),
);
await Promise.all(clients.map((socket, i) => request(socket, 'room:join', { room: `bench-${i}` })));

const durationMs = Number(options.duration) * 1000;
let sent = 0;
const startedAt = performance.now();
const deliveredBefore = receiver.stats.ids.size;
await Promise.all(
  clients.map(async (socket, i) => {
    while (performance.now() - startedAt < durationMs) {
      await request(socket, 'chat:send', { room: `bench-${i}`, text: `message ${sent}` });
      sent += 1;
    }
  }),
);
const windowMs = performance.now() - startedAt;
const deliveredInWindow = receiver.stats.ids.size - deliveredBefore;
const backlogAtEnd = (await status()).queued;

const drainStartedAt = performance.now();
while (receiver.stats.ids.size < sent && performance.now() - drainStartedAt < DRAIN_TIMEOUT_MS) {
  await sleep(20);
}
const drainMs = performance.now() - drainStartedAt;
const final = await status();

const perSecond = (count, ms) => Math.round((count / ms) * 1000);
console.log(
  `| ${options.redis ? 'Redis queue' : 'memory queue'}, ${options.clients} clients, receiver delay ${options['receiver-delay-ms']} ms | |`,
);
console.log('| --- | --- |');
console.log(`| chat:send answered/s (= events recorded/s) | ${perSecond(sent, windowMs)} |`);
console.log(`| events delivered/s during the window | ${perSecond(deliveredInWindow, windowMs)} |`);
console.log(`| backlog when the sends stopped | ${backlogAtEnd} |`);
console.log(`| time to deliver that backlog | ${Math.round(drainMs)} ms |`);
console.log(
  `| deliveries, events per delivery | ${receiver.stats.deliveries}, ${(receiver.stats.events / receiver.stats.deliveries).toFixed(1)} |`,
);
console.log(
  `| every event once | ${receiver.stats.ids.size === sent && receiver.stats.repeats === 0 ? 'yes' : `no: ${receiver.stats.ids.size} of ${sent}, ${receiver.stats.repeats} repeats`} |`,
);
console.log(`| queued, dropped after | ${final.queued}, ${final.dropped} |`);

for (const socket of clients) socket.disconnect();
await node.stop();
await redis?.stop();
await receiver.close();
process.exit(0);
