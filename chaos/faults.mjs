// Carries out the fault plan: each fault at its time, each restart after its pause, and a restart
// for anything that died without being told to (that is reported: the contract says that a node
// never exits on its own). At the end, brings everything back and waits until every node is ready.
import { sleep } from '../bench/support/processes.mjs';
import { LOG_LINES_SHOWN, START_TIMEOUT_MS } from './cluster.mjs';
import { describeFault } from './plan.mjs';
import { Timeline } from './timeline.mjs';

const WAIT_FOR_TARGET_MS = 30_000;
const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 100;
/** A node that dies again at once, this many times in a row, is left down (and that is reported). */
const REPAIRS_IN_A_ROW = 3;

/** Polls `condition` until it holds (true) or `timeoutMs` passes (false). */
export async function eventually(condition, timeoutMs, pollMs = POLL_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(pollMs);
  }
}

export class FaultRunner {
  constructor({ redis, nodes, timeline, findings }) {
    this.redis = redis;
    this.nodes = nodes;
    this.timeline = timeline;
    this.findings = findings;
    /** Faults carried out, by `<kind> <signal>`. */
    this.counts = new Map();
    /** Every outage of Redis, `{ fromMs, toMs }`, for the diagnosis of a lost notification. */
    this.redisOutages = [];
    /** Every fault carried out, `{ atMs, text }`, for the same. */
    this.carriedOut = [];
    /** Stops and starts under way, each tracked until it has finished. */
    this.pending = new Set();
    this.repairsInARow = new Map();
    for (const child of [redis, ...nodes]) {
      child.onUnexpectedExit = (exit, log) => this.diedOnItsOwn(child, exit, log);
    }
  }

  /** Carries out `plan`; resolves once the last fault has been started (restarts may still be pending). */
  async run(plan) {
    for (const fault of plan) {
      const waitMs = fault.atMs - this.timeline.now();
      if (waitMs > 0) await sleep(waitMs);
      if (fault.kind === 'redis') await this.restartRedis(fault);
      else await this.stopNode(fault);
    }
  }

  /** Waits for every pending restart, starts what is still down, and waits until every node is ready. */
  async restoreAll() {
    while (this.pending.size > 0) await Promise.all(this.pending);
    if (this.broken) throw this.broken;
    if (this.redis.state === 'down') await this.later(0, () => this.startRedis());
    for (const node of this.nodes) {
      if (node.state === 'down') await this.later(0, () => this.startNode(node));
    }
    const ready = await eventually(
      async () =>
        (await Promise.all(this.nodes.map((node) => node.answers('/health/ready')))).every(Boolean),
      READY_TIMEOUT_MS,
    );
    if (!ready) {
      const states = this.nodes.map((node) => `${node.name} ${node.state}`).join(', ');
      this.findings.add(
        'cluster',
        `not every node ready within ${READY_TIMEOUT_MS / 1000} s after the faults (${states})`,
      );
    }
    return this.timeline.now();
  }

  async stopNode(fault) {
    const node = this.nodes.find((candidate) => candidate.name === fault.target);
    if (!(await eventually(() => node.state === 'up', WAIT_FOR_TARGET_MS))) {
      this.timeline.say(`fault skipped: ${fault.target} did not come up`);
      return;
    }
    this.record(fault);
    this.count(`node ${fault.signal}`);
    // In the background, so that a slow shutdown does not hold back the faults that follow.
    void this.later(0, () => this.stopAndRestart(node, fault));
  }

  async stopAndRestart(node, fault) {
    const exit = await node.stop(fault.signal);
    if (fault.signal === 'SIGTERM' && (exit.late || exit.code !== 0)) {
      const how = exit.late
        ? `was still running ${exit.tookMs} ms after SIGTERM`
        : `exited with code ${exit.code} after SIGTERM`;
      this.findings.add(
        'shutdown',
        `${node.name} ${how} (${Timeline.stamp(exit.atMs)}):\n${exit.log}`,
      );
    }
    await sleep(fault.downMs);
    await this.startNode(node);
  }

  async restartRedis(fault) {
    if (!(await eventually(() => this.redis.state === 'up', WAIT_FOR_TARGET_MS))) {
      this.timeline.say('fault skipped: redis did not come up');
      return;
    }
    this.record(fault);
    this.count(`redis ${fault.signal}`);
    const outage = { fromMs: this.timeline.now() };
    this.redisOutages.push(outage);
    void this.later(0, async () => {
      await this.redis.stop(fault.signal);
      await sleep(fault.downMs);
      await this.startRedis();
      outage.toMs = this.timeline.now();
    });
  }

  async startRedis() {
    await this.redis.start();
    this.timeline.say('redis is back');
  }

  async startNode(node) {
    if (await node.start()) {
      this.timeline.say(`${node.name} is back (serves /health)`);
    } else if (node.state !== 'down') {
      const redisState = this.redis.state === 'up' ? 'Redis up' : `Redis ${this.redis.state}`;
      this.findings.add(
        'start',
        `${node.name} did not serve /health within ${START_TIMEOUT_MS / 1000} s of its start (${redisState}); its log ends:\n${node.handle.log(LOG_LINES_SHOWN)}`,
      );
      await node.stop('SIGKILL');
    }
  }

  /** Runs `task` (a stop, a start) after `delayMs`, tracked so that `restoreAll` can wait for it. */
  later(delayMs, task) {
    const pending = sleep(delayMs)
      .then(task)
      // A process that cannot be started again breaks the soak itself: `restoreAll` throws it.
      .catch((error) => (this.broken ??= error))
      .finally(() => this.pending.delete(pending));
    this.pending.add(pending);
    return pending;
  }

  diedOnItsOwn(child, exit, log) {
    const redisState = this.redis.state === 'up' ? 'Redis up' : `Redis ${this.redis.state}`;
    const how = exit.signal ? `by ${exit.signal}` : `with code ${exit.code}`;
    this.count(`${child === this.redis ? 'redis' : 'node'} exited on its own`);
    this.findings.add(
      'exit',
      `${child.name} exited on its own ${how} at ${Timeline.stamp(exit.atMs)}, ` +
        `${(exit.uptimeMs / 1000).toFixed(1)} s after its start (${redisState}); its log ends:\n${log}`,
    );
    this.timeline.say(`${child.name} exited on its own ${how} (${redisState})`);
    const repairs = (this.repairsInARow.get(child) ?? 0) + 1;
    this.repairsInARow.set(child, repairs);
    if (repairs > REPAIRS_IN_A_ROW) return;
    if (child === this.redis) {
      void this.later(0, () => this.startRedis());
      return;
    }
    // A node that died while Redis was away is started again once Redis answers.
    void this.later(0, async () => {
      await eventually(() => this.redis.state === 'up', READY_TIMEOUT_MS);
      await this.startNode(child);
      if (child.state === 'up') this.repairsInARow.set(child, 0);
    });
  }

  record(fault) {
    this.carriedOut.push({ atMs: this.timeline.now(), text: `${fault.target} ${fault.signal}` });
    this.timeline.say(`fault: ${describeFault(fault)}`);
  }

  count(kind) {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }
}
