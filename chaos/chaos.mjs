// The chaos soak: three Switchboard nodes over one real Redis, users chatting and being notified
// through the client library, and nodes and Redis killed and stopped at times drawn from a seed.
// Then it checks that nothing acknowledged was lost or doubled. See chaos/README.md.
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sleep, workDirectory } from '../bench/support/processes.mjs';
import { checkAcknowledged, checkHistory, checkSends, checkViews } from './checks.mjs';
import { Tab, castOf } from './clients.mjs';
import { RedisProcess, SwitchboardNode } from './cluster.mjs';
import { FaultRunner, eventually } from './faults.mjs';
import { Findings } from './findings.mjs';
import { checkDelivered, checkRecipients } from './notification-checks.mjs';
import { Notifier } from './notifier.mjs';
import { describeFault, planFaults } from './plan.mjs';
import { RandomStream, freshSeed } from './random.mjs';
import { printFigures } from './report.mjs';
import { newestOffset, readHistory } from './server-api.mjs';
import { Timeline } from './timeline.mjs';

const USAGE = `npm run chaos -- [--seed <0..4294967295>] [--duration <seconds>] [--users <n>] [--rooms <n>]`;
const NODE_NAMES = ['node-1', 'node-2', 'node-3'];
/** The contract's bound: an accepted notification reaches a connected user within 60 s of a fault's end. */
const SETTLE_MS = 60_000;
const OPEN_TIMEOUT_MS = 30_000;
const SETTLE_POLL_MS = 250;
const JWT_SECRET = 'chaos-soak-secret-of-32-characters';
const API_KEY = 'chaos-soak-api-key';

function parseOptions() {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      duration: { type: 'string', default: '180' },
      users: { type: 'string', default: '6' },
      rooms: { type: 'string', default: '3' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const integer = (name, low, high) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < low || value > high) {
      process.stderr.write(`--${name} must be an integer from ${low} to ${high}\n${USAGE}\n`);
      process.exit(2);
    }
    return value;
  };
  return {
    seed: values.seed === undefined ? freshSeed() : integer('seed', 0, 2 ** 32 - 1),
    duration: integer('duration', 15, 86_400),
    users: integer('users', 2, 100),
    rooms: integer('rooms', 1, 20),
  };
}

/** Resolves true when `promise` settles by `deadlineMs` (on the timeline), false otherwise. */
async function settlesBy(promise, timeline, deadlineMs) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadlineMs - timeline.now()), false);
  });
  const result = await Promise.race([promise.then(() => true), late]);
  clearTimeout(timer);
  return result;
}

/** Redis and the nodes, started; the fault runner watches them from before their start. */
async function startSystem({ timeline, findings }) {
  const redis = await RedisProcess.create(timeline);
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    REDIS_URL: redis.url,
    AUTH_JWT_SECRET: JWT_SECRET,
    AUTH_ALLOW_GUESTS: 'false',
    API_KEY,
    // Every message stays in the history, so that the whole of it can be checked.
    HISTORY_LIMIT: '1000000',
  };
  const nodes = await Promise.all(
    NODE_NAMES.map((name) => SwitchboardNode.create(name, timeline, env)),
  );
  const faults = new FaultRunner({ redis, nodes, timeline, findings });
  for (const node of nodes) {
    if (!(await node.start())) throw new Error(`${node.name} did not start:\n${node.handle.log()}`);
  }
  const ports = nodes.map((node) => node.port).join(', ');
  timeline.say(`redis on ${redis.port}, nodes on ${ports}; logs in ${timeline.directory}`);
  return { nodes, faults };
}

/** The users' tabs, each connected and in its rooms. */
async function openTabs({ options, timeline }, nodes) {
  const { seed } = options;
  const cast = castOf(new RandomStream(seed, 'cast'), options.users, options.rooms);
  const tabs = cast.users.flatMap((user) =>
    user.tabs.map((tab) => new Tab({ seed, ...tab, nodes, secret: JWT_SECRET, timeline })),
  );
  const opening = Promise.all(tabs.map((tab) => tab.open()));
  if (!(await settlesBy(opening, timeline, timeline.now() + OPEN_TIMEOUT_MS))) {
    throw new Error(`the tabs were not in their rooms within ${OPEN_TIMEOUT_MS / 1000} s`);
  }
  timeline.say(tabs.map((tab) => `${tab.name} in ${tab.roomNames.join(' ')}`).join('; '));
  return { rooms: cast.rooms, users: cast.users.map((user) => user.id), tabs };
}

/** Chat and notifications under the planned faults for `duration` seconds. */
async function runFaults({ options, timeline }, { nodes, faults }, { users, tabs }) {
  const startMs = timeline.now();
  const durationMs = options.duration * 1000;
  const plan = planFaults(new RandomStream(options.seed, 'faults'), durationMs, NODE_NAMES).map(
    (fault) => ({ ...fault, atMs: fault.atMs + startMs }),
  );
  for (const fault of plan) {
    timeline.note(`planned at ${Timeline.stamp(fault.atMs)}: ${describeFault(fault)}`);
  }
  timeline.say(`${plan.length} faults planned over ${options.duration} s`);
  const notifier = new Notifier({ seed: options.seed, nodes, users, apiKey: API_KEY, timeline });
  for (const tab of tabs) tab.startChatting();
  notifier.start((userId) => tabs.some((tab) => tab.userId === userId && tab.connected));
  await faults.run(plan);
  await sleep(Math.max(0, startMs + durationMs - timeline.now()));
  return notifier;
}

/**
 * Brings everything back, stops the load, and waits (at most SETTLE_MS from the faults' end)
 * until every tab is connected and has every message of its rooms, and every accepted
 * notification has reached its user. Resolves with the time the faults ended.
 */
async function settle({ options, timeline }, { nodes, faults }, { rooms, tabs }, notifier) {
  const faultsEndedMs = await faults.restoreAll();
  const deadline = faultsEndedMs + SETTLE_MS;
  timeline.say(`faults over, every node ready; the system has ${SETTLE_MS / 1000} s to settle`);
  const stopping = Promise.all([...tabs.map((tab) => tab.stop()), notifier.stop()]);
  await settlesBy(stopping, timeline, deadline);
  // One more message per room, as the next message of a real chat would be: a tab that missed the
  // last broadcast during a fault notices the gap from it and fills it from the history.
  const closingRandom = new RandomStream(options.seed, 'closing');
  const closing = rooms.map((room) => {
    const tab = closingRandom.pick(tabs.filter((candidate) => candidate.roomNames.includes(room)));
    return tab.send(room, `${tab.name} closes ${room}`, `${tab.name}#closing-${room}`);
  });
  await settlesBy(Promise.all(closing), timeline, deadline);
  const caughtUp = async () => {
    for (const room of rooms) {
      const newest = await newestOffset(nodes, API_KEY, room);
      const members = tabs.filter((tab) => tab.roomNames.includes(room));
      if (newest === undefined || members.some((tab) => tab.lastOffset(room) < newest)) {
        return false;
      }
    }
    return true;
  };
  const notified = () =>
    notifier.accepted.every((entry) =>
      tabs.some((tab) => tab.userId === entry.userId && tab.notifications.has(entry.id)),
    );
  const settled = await eventually(
    async () => tabs.every((tab) => tab.connected) && notified() && (await caughtUp()),
    Math.max(0, deadline - timeline.now()),
    SETTLE_POLL_MS,
  );
  timeline.say(settled ? 'settled' : `not settled within ${SETTLE_MS / 1000} s`);
  return faultsEndedMs;
}

async function check(run, { nodes, faults }, { rooms, tabs }, notifier, faultsEndedMs) {
  const { findings } = run;
  const histories = new Map();
  for (const room of rooms) histories.set(room, await readHistory(nodes[0].url, API_KEY, room));
  for (const [room, messages] of histories) checkHistory(room, messages, findings);
  checkAcknowledged(tabs, histories, findings);
  checkViews(tabs, histories, findings);
  checkSends(tabs, findings);
  const { redisOutages, carriedOut: faultsCarriedOut } = faults;
  const boundMs = SETTLE_MS;
  checkDelivered(
    { notifier, tabs, faultsEndedMs, boundMs, redisOutages, faultsCarriedOut },
    findings,
  );
  checkRecipients(notifier, tabs, findings);
  for (const refusal of notifier.refusals) {
    const answer = JSON.stringify(refusal.answer);
    findings.add('notification', `notification ${refusal.sequence} refused: ${answer}`);
  }
  const { seed, options } = run;
  printFigures({ seed, options, tabs, notifier, faults, nodes, histories, faultsEndedMs });
}

/** Copies the logs out of the work directory, which is removed at exit. */
function keepLogs(directory, seed) {
  const kept = mkdtempSync(join(tmpdir(), `switchboard-chaos-seed-${seed}-`));
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.log'))) {
    cpSync(join(directory, name), join(kept, name));
  }
  return kept;
}

/** 0 when every check held, 1 with the violations printed. */
async function main(run) {
  const { timeline, findings, seed } = run;
  // An exception thrown in a listener of the client library would end the process: it is a
  // violation to report with the rest, and the run goes on.
  const thrown = (error) =>
    findings.add('thrown', `an exception in the soak's process: ${error?.stack ?? error}`);
  process.on('uncaughtException', thrown);
  process.on('unhandledRejection', thrown);
  timeline.say(`chaos soak, seed ${seed} (replay: ${run.replay})`);

  const system = await startSystem(run);
  const people = await openTabs(run, system.nodes);
  const notifier = await runFaults(run, system, people);
  const faultsEndedMs = await settle(run, system, people, notifier);
  await check(run, system, people, notifier, faultsEndedMs);
  for (const tab of people.tabs) await tab.close();

  if (findings.empty) {
    process.stdout.write(`\nPASSED (seed ${seed})\n`);
    return 0;
  }
  process.stdout.write(`\n${findings.list.length} violations:\n`);
  for (const { kind, text, count } of findings.list) {
    process.stdout.write(`- [${kind}]${count > 1 ? ` (${count} times)` : ''} ${text}\n`);
  }
  process.stdout.write(`\nFAILED (seed ${seed}); replay: ${run.replay}\n`);
  process.stdout.write(`logs kept in ${keepLogs(timeline.directory, seed)}\n`);
  return 1;
}

const options = parseOptions();
const timeline = new Timeline(workDirectory('chaos'));
const run = {
  options,
  seed: options.seed,
  timeline,
  findings: new Findings(timeline),
  replay: `npm run chaos -- --seed ${options.seed} --duration ${options.duration}`,
};
main(run).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`\nthe soak itself failed (seed ${run.seed}; replay: ${run.replay}):\n`);
    process.stderr.write(`${error.stack ?? error}\n`);
    process.stderr.write(`logs kept in ${keepLogs(timeline.directory, run.seed)}\n`);
    process.exit(2);
  },
);
