// The schedule of faults, drawn from the seed before the run starts: when, what (a node killed, a
// node stopped gracefully, Redis stopped by either signal), and how long it stays down. The plan
// never takes every node down at once, never overlaps two Redis outages, and leaves a quiet
// start and end.

const QUIET_START_MS = 5000;
const QUIET_END_MS = 5000;
const GAP_MS = [3000, 10_000];
const NODE_DOWN_MS = [500, 6000];
/** Redis is away for a blip, or for long enough that a node started meanwhile finds no Redis. */
const REDIS_BLIP_MS = [300, 3000];
const REDIS_OUTAGE_MS = [6000, 12_000];
/** What the plan counts for a restart itself, so that a node is not planned down again before it is back. */
const NODE_START_ALLOWANCE_MS = 4000;
const REDIS_START_ALLOWANCE_MS = 2000;

/**
 * The faults of a run of `durationMs` over `nodeNames`, in time order, each
 * `{ atMs, kind: 'node' | 'redis', target, signal, downMs }`.
 */
export function planFaults(random, durationMs, nodeNames) {
  const faults = [];
  const nodeBackAt = new Map(nodeNames.map((name) => [name, 0]));
  let redisBackAt = 0;
  for (let atMs = QUIET_START_MS; ;) {
    atMs += Math.round(random.between(...GAP_MS));
    if (atMs > durationMs - QUIET_END_MS) return faults;
    const nodeWanted = random.chance(0.65);
    const signal = random.chance(0.5) ? 'SIGKILL' : 'SIGTERM';
    const upNodes = nodeNames.filter((name) => nodeBackAt.get(name) <= atMs);
    const target = random.pick(upNodes);
    const nodeDownMs = Math.round(random.between(...NODE_DOWN_MS));
    const redisDownMs = Math.round(
      random.between(...(random.chance(0.5) ? REDIS_BLIP_MS : REDIS_OUTAGE_MS)),
    );
    const nodePossible = upNodes.length > 1;
    const redisPossible = redisBackAt <= atMs;
    if (nodePossible && (nodeWanted || !redisPossible)) {
      faults.push({ atMs, kind: 'node', target, signal, downMs: nodeDownMs });
      nodeBackAt.set(target, atMs + nodeDownMs + NODE_START_ALLOWANCE_MS);
    } else if (redisPossible) {
      faults.push({ atMs, kind: 'redis', target: 'redis', signal, downMs: redisDownMs });
      redisBackAt = atMs + redisDownMs + REDIS_START_ALLOWANCE_MS;
    }
  }
}

/** `node-2 SIGKILL, down 3.1 s` */
export function describeFault(fault) {
  return `${fault.target} ${fault.signal}, down ${(fault.downMs / 1000).toFixed(1)} s`;
}
