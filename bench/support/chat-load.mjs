// The `chat:send` load of `cluster.mjs`: an open loop at a fixed rate (the same offered load
// whatever the cluster does with it), or closed loops (each client sends again once answered).
import { request } from './clients.mjs';

/** How often the open loop looks at its schedule; the sends due since the last tick go at once. */
const TICK_MS = 2;
/** After this many failed sends a run stops: something is broken, and the figures mean nothing. */
const MAX_FAILURES = 100;

/**
 * The counts of a load, read by the snapshots of the measured window. `scheduled` counts the sends
 * the schedule called for, `issued` those actually sent, `skipped` those left out because too many
 * were unanswered: scheduled = issued + skipped.
 */
export function loadState() {
  return {
    scheduled: 0,
    issued: 0,
    skipped: 0,
    acked: 0,
    inFlight: 0,
    failures: 0,
    firstFailure: undefined,
    stopping: false,
    latencies: [],
  };
}

/** One `chat:send` from `client`, counted in `state` and, once acknowledged, in `ledger`. */
async function sendOne(client, state, ledger) {
  client.sent += 1;
  const clientMsgId = `${client.index}-${client.sent}`;
  state.issued += 1;
  state.inFlight += 1;
  const begin = performance.now();
  try {
    await request(client.socket, 'chat:send', {
      room: client.room,
      text: `message ${client.sent} from client ${client.index}`,
      clientMsgId,
    });
    state.acked += 1;
    state.latencies.push(performance.now() - begin);
    ledger.acked(client.index, clientMsgId);
  } catch (error) {
    state.failures += 1;
    state.firstFailure ??= error;
    if (state.failures >= MAX_FAILURES) state.stopping = true;
  } finally {
    state.inFlight -= 1;
  }
}

/**
 * Sends `rate` `chat:send` a second in all, from the clients in turn (client 0, 1, 2, ... and
 * again), on a fixed schedule: send k is due k / rate seconds after the start, whether or not the
 * earlier ones have been answered, so the offered load does not depend on how fast the cluster
 * answers. At most `maxInFlight` sends stay unanswered; a send due beyond that is skipped and
 * counted (`state.skipped`): a cluster that cannot keep up shows as achieved < offered, with a
 * bounded backlog. `stop()` ends the schedule and resolves once every send has been answered.
 */
export function openLoop(clients, rate, maxInFlight, state, ledger) {
  const started = performance.now();
  const pending = new Set();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; state.scheduled < due && !state.stopping; state.scheduled += 1) {
      if (state.inFlight >= maxInFlight) {
        state.skipped += 1;
        continue;
      }
      const send = sendOne(clients[state.scheduled % clients.length], state, ledger);
      pending.add(send);
      void send.then(() => pending.delete(send));
    }
  }, TICK_MS);
  return {
    async stop() {
      state.stopping = true;
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

/**
 * Every client sends its next `chat:send` as soon as the previous one is answered: the most the
 * cluster (and this one load generator) can carry, at a load that depends on both.
 */
export function closedLoops(clients, state, ledger) {
  const loops = Promise.all(
    clients.map(async (client) => {
      while (!state.stopping) {
        state.scheduled += 1;
        await sendOne(client, state, ledger);
      }
    }),
  );
  return {
    async stop() {
      state.stopping = true;
      await loops;
    },
  };
}
