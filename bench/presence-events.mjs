// What presence events cost on the hot path: N clients join and leave a room of their own in a
// closed loop for `--duration` seconds, on one node, with webhooks off, then on (every type, the
// presence events among them, to a local receiver), then on with the presence events left out.
// Prints the joins and leaves answered per second and the events the receiver got.
//
//   npm run build && node bench/presence-events.mjs [--redis] [--clients 20] [--duration 5]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectClient, request } from './support/clients.mjs';
import { REPO_DIR, startNode, startRedis } from './support/processes.mjs';
import { startWebhookReceiver } from './support/webhook-receiver.mjs';

const { values: options } = parseArgs({
  options: {
    redis: { type: 'boolean', default: false },
    clients: { type: 'string', default: '20' },
    duration: { type: 'string', default: '5' },
  },
});

async function run(label, webhookEnv) {
  const receiver = await startWebhookReceiver();
  const redis = options.redis ? await startRedis() : undefined;
  const node = await startNode({
    name: 'switchboard',
    main: join(REPO_DIR, 'dist', 'main.js'),
    redis,
    keyPrefix: 'bench-presence:',
    env: webhookEnv(receiver.url),
  });
  const clients = await Promise.all(
    Array.from({ length: Number(options.clients) }, (_, i) => connectClient(node.url, `c${i}`)),
  );
  const durationMs = Number(options.duration) * 1000;
  let answered = 0;
  const startedAt = performance.now();
  await Promise.all(
    clients.map(async (socket, i) => {
      const room = `bench-${i}`;
      while (performance.now() - startedAt < durationMs) {
        await request(socket, 'room:join', { room });
        await request(socket, 'room:leave', { room });
        answered += 2;
      }
    }),
  );
  const perSecond = Math.round((answered / (performance.now() - startedAt)) * 1000);
  for (const socket of clients) socket.disconnect();
  await node.stop();
  await redis?.stop();
  await receiver.close();
  console.log(`| ${label} | ${perSecond} | ${receiver.stats.events} |`);
}

const on = (url, extra = {}) => ({
  WEBHOOK_URL: url,
  WEBHOOK_SECRET: 'bench-webhook-secret',
  ...extra,
});
console.log(
  `| ${options.redis ? 'Redis' : 'memory'}, ${options.clients} clients | room:join + room:leave answered/s | events received |`,
);
console.log('| --- | --- | --- |');
await run('webhooks off', () => ({}));
await run('webhooks on, every type', (url) => on(url));
await run('webhooks on, presence left out', (url) =>
  on(url, { WEBHOOK_EVENTS: 'message.created' }),
);
process.exit(0);
