// The figures of the limits issue (docs/protocol.md "Limits"), for one build of Switchboard:
//
//   npm run build && node bench/limits.mjs                  # this checkout's dist/
//   node bench/limits.mjs --root /tmp/before                # another build: <root>/dist and
//                                                           # <root>/bench/switchboard-server.mjs
// flood        20 quiet clients ping every 100 ms; their session:ping p50/p99 alone, then while a
//              flooder (a child process) sends 2 KB chat:send without a callback as fast as it can
//              for --seconds, connecting again whenever it is disconnected; server RSS.
// slow-readers 20 readers and 5 clients that stop reading their TCP socket in one room, which
//              gets ~4 800 messages/s of 2 KB for --seconds; server RSS, and how many slow
//              readers the server closed (seen by the readers as room:left).
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { setInterval, clearInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';

const { values: options } = parseArgs({
  options: {
    root: { type: 'string', default: resolve(import.meta.dirname, '..') },
    scenarios: { type: 'string', default: 'flood,slow-readers' },
    seconds: { type: 'string', default: '10' },
    role: { type: 'string' },
    url: { type: 'string' },
  },
});
const seconds = Number(options.seconds);
const TEXT = 'x'.repeat(2000);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function connect(url, name) {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  socket.auth = { name };
  return new Promise((done, fail) => {
    socket.once('welcome', () => done(socket));
    socket.once('connect_error', fail);
  });
}

const request = (socket, event, payload) => socket.timeout(10_000).emitWithAck(event, payload);

async function startServer(env) {
  const child = fork(resolve(options.root, 'bench/switchboard-server.mjs'), [], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
  const ready = await new Promise((done) => child.once('message', done));
  const stats = async () => (await fetch(`http://127.0.0.1:${ready.statsPort}/stats`)).json();
  return { url: `http://127.0.0.1:${ready.port}`, stats, stop: () => child.kill('SIGTERM') };
}

/** Samples the server's RSS every 250 ms until stopped; resolves with the highest. */
function peakRss(server) {
  let peak = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      peak = Math.max(peak, (await server.stats()).rss);
      await sleep(250);
    }
    return peak;
  })();
  return () => ((running = false), done);
}

const mb = (bytes) => `${Math.round(bytes / 1e6)} MB`;
const percentile = (values, fraction) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length * fraction)]?.toFixed(1);

/** Every client pings every 100 ms for `ms`; resolves with the latencies. */
async function pings(clients, ms) {
  const latencies = [];
  const replies = [];
  const timer = setInterval(() => {
    for (const client of clients) {
      const sentAt = performance.now();
      replies.push(
        request(client, 'session:ping').then(() => latencies.push(performance.now() - sentAt)),
      );
    }
  }, 100);
  await sleep(ms);
  clearInterval(timer);
  await Promise.allSettled(replies);
  return latencies;
}

async function flood() {
  const server = await startServer({});
  const quiet = await Promise.all(
    Array.from({ length: 20 }, (_, i) => connect(server.url, `q${i}`)),
  );
  const alone = await pings(quiet, 3000);
  const flooder = fork(import.meta.filename, [
    '--role',
    'flooder',
    '--url',
    server.url,
    '--seconds',
    String(seconds),
  ]);
  const stopRss = peakRss(server);
  const during = await pings(quiet, seconds * 1000);
  const flooded = await new Promise((done) => flooder.once('message', done));
  const rss = await stopRss();
  console.log(
    `flood: quiet session:ping p50/p99 alone ${percentile(alone, 0.5)}/${percentile(alone, 0.99)} ms, ` +
      `during the flood ${percentile(during, 0.5)}/${percentile(during, 0.99)} ms; flooder sent ` +
      `${Math.round(flooded.sent / seconds)} events/s, got ${flooded.errors} error events, ` +
      `${flooded.ended} session:ended, ${flooded.refusedHandshakes} refused handshakes; peak RSS ${mb(rss)}`,
  );
  for (const client of quiet) client.disconnect();
  server.stop();
}

/** The flooder's process: floods, connects again when disconnected, reports its counts. */
async function flooder() {
  const counts = { sent: 0, errors: 0, ended: 0, refusedHandshakes: 0 };
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const socket = await connect(options.url, 'flooder').catch(() => undefined);
    if (!socket) {
      counts.refusedHandshakes += 1;
      await sleep(10);
      continue;
    }
    socket.on('error', () => (counts.errors += 1));
    socket.on('session:ended', () => (counts.ended += 1));
    await request(socket, 'room:join', { room: 'flooded' });
    while (socket.connected && Date.now() < until) {
      for (let i = 0; i < 500; i += 1) socket.emit('chat:send', { room: 'flooded', text: TEXT });
      counts.sent += 500;
      await new Promise((done) => setImmediate(done));
    }
    socket.disconnect();
  }
  process.send(counts, () => process.exit(0));
}

async function slowReaders() {
  const server = await startServer({ RATE_LIMIT_PER_SEC: '100000', RATE_LIMIT_BURST: '100000' });
  const room = 'busy';
  const readers = await Promise.all(
    Array.from({ length: 20 }, (_, i) => connect(server.url, `r${i}`)),
  );
  for (const reader of readers) await request(reader, 'room:join', { room });
  let closed = 0;
  readers[0].on('room:left', ({ user }) => (closed += user.name.startsWith('slow') ? 1 : 0));
  for (let i = 0; i < 5; i += 1) {
    const slow = await connect(server.url, `slow${i}`);
    await request(slow, 'room:join', { room });
    slow.io.engine.transport.ws._socket.pause();
  }
  const before = (await server.stats()).rss;
  const stopRss = peakRss(server);
  let sent = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < 48; i += 1)
      readers[1 + (i % 4)].emit('chat:send', { room, text: TEXT }, () => (sent += 1));
  }, 10);
  await sleep(seconds * 1000);
  clearInterval(timer);
  const peak = await stopRss();
  console.log(
    `slow readers: ${Math.round(sent / seconds)} messages/s into the room for ${seconds} s; RSS ` +
      `${mb(before)} before, peak ${mb(peak)}; slow readers closed by the server: ${closed} of 5`,
  );
  server.stop();
  process.exit(0);
}

if (options.role === 'flooder') await flooder();
else {
  const scenarios = options.scenarios.split(',');
  if (scenarios.includes('flood')) await flood();
  if (scenarios.includes('slow-readers')) await slowReaders();
  process.exit(0);
}
