// Another backend notifying users through the server API: `POST /api/notifications` to a node
// drawn from the seed, for a user drawn among those connected. A request that fails (a node
// killed under it, Redis away) is sent again, to another node, with the same idempotencyKey, so
// that the notification is accepted once; only a `202` counts as accepted.
import { sleep } from '../bench/support/processes.mjs';
import { RandomStream } from './random.mjs';

const PAUSE_MS = [100, 700];
const RETRY_PAUSE_MS = [300, 1000];
const REQUEST_TIMEOUT_MS = 10_000;
/** A notification not accepted within this is given up (it may still have been stored). */
const GIVE_UP_MS = 30_000;

export class Notifier {
  constructor({ seed, nodes, users, apiKey, timeline }) {
    this.nodes = nodes;
    this.users = users;
    this.apiKey = apiKey;
    this.timeline = timeline;
    this.seed = seed;
    this.random = new RandomStream(seed, 'notifier');
    this.retryRandom = new RandomStream(seed, 'notifier retries');
    /** Every notification tried, by its number: `{ sequence, userId, startedMs, attempts }`. */
    this.sent = [];
    /** Refusals that are not "not now" (a 4xx other than 409): reported. */
    this.refusals = [];
    this.stopped = false;
  }

  start(isConnected) {
    this.running = this.run(isConnected);
  }

  /** No new notification after the one under way. */
  stop() {
    this.stopped = true;
    return this.running ?? Promise.resolve();
  }

  async run(isConnected) {
    while (!this.stopped) {
      await sleep(this.random.between(...PAUSE_MS));
      const userId = this.random.pick(this.users.filter(isConnected));
      if (this.stopped) return;
      if (userId !== undefined) await this.notify(userId);
    }
  }

  async notify(userId) {
    const sequence = this.sent.length + 1;
    const entry = { sequence, userId, startedMs: this.timeline.now(), attempts: [] };
    this.sent.push(entry);
    const body = {
      target: { userId },
      title: `notification ${sequence}`,
      body: `for ${userId}`,
      data: { sequence },
      idempotencyKey: `chaos-${this.seed}-${sequence}`,
    };
    while (this.timeline.now() - entry.startedMs < GIVE_UP_MS) {
      const node = this.retryRandom.pick(
        this.nodes.filter((candidate) => candidate.state === 'up'),
      );
      const sentMs = this.timeline.now();
      const outcome = node ? await this.post(node, body) : { status: 'no node up' };
      const status = outcome.status;
      entry.attempts.push({ sentMs, atMs: this.timeline.now(), node: node?.name, status });
      if (outcome.status === 202) {
        Object.assign(entry, {
          id: outcome.body.id,
          recipients: outcome.body.recipients,
          node: node.name,
          acceptedMs: this.timeline.now(),
        });
        return;
      }
      if (typeof outcome.status === 'number' && outcome.status < 500 && outcome.status !== 409) {
        this.refusals.push({ ...entry, answer: outcome });
        return;
      }
      await sleep(this.retryRandom.between(...RETRY_PAUSE_MS));
    }
  }

  async post(node, body) {
    try {
      const response = await fetch(`${node.url}/api/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      return { status: response.status, body: response.status === 202 ? JSON.parse(text) : text };
    } catch (error) {
      return { status: String(error.cause?.code ?? error.name) };
    }
  }

  /** The notifications answered 202. */
  get accepted() {
    return this.sent.filter((entry) => entry.id !== undefined);
  }
}
