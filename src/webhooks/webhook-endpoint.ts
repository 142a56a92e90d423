import { Pool } from 'undici';
import { signatureHeader } from '../common/signature.js';

/** How much of a receiver's answer is read (and thrown away) before its connection is dropped. */
const ANSWER_BYTES_READ = 64 * 1024;

/** Idle connections to the receiver stay open this long, for the next delivery. */
const KEEP_ALIVE_MS = 30_000;

/** How one try of a delivery went: a 2xx, or why not (`status` when the receiver answered). */
export type TryOutcome = { ok: true } | { ok: false; status?: number; message: string };

/**
 * The application's backend as the sender reaches it: one keep-alive pool of at most
 * WEBHOOK_CONCURRENCY connections (one delivery in flight per partition). Credentials written in
 * WEBHOOK_URL go as HTTP Basic authentication, never in the status route's `url`.
 */
export class WebhookEndpoint {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly authorization?: string;

  constructor(
    url: string,
    private readonly secret: string,
    private readonly timeoutMs: number,
    connections: number,
  ) {
    const parsed = new URL(url);
    this.pool = new Pool(parsed.origin, { connections, keepAliveTimeout: KEEP_ALIVE_MS });
    this.path = parsed.pathname + parsed.search;
    if (parsed.username !== '' || parsed.password !== '') {
      const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
      this.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
  }

  /**
   * One try: `body` signed now (a receiver refuses an old signature, so a retry is signed anew),
   * a success only when a 2xx comes within WEBHOOK_TIMEOUT_MS. `stop` aborts it (a shutdown, a
   * lease that ended).
   */
  async send(body: string, deliveryId: string, stop: AbortSignal): Promise<TryOutcome> {
    const signal = AbortSignal.any([stop, AbortSignal.timeout(this.timeoutMs)]);
    try {
      const answer = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'switchboard-signature': signatureHeader(this.secret, body),
          'switchboard-delivery': deliveryId,
          ...(this.authorization === undefined ? {} : { authorization: this.authorization }),
        },
        body,
        signal,
      });
      // A hostile answer may be endless: read a little (to keep the connection), drop the rest.
      await answer.body.dump({ limit: ANSWER_BYTES_READ, signal });
      if (answer.statusCode >= 200 && answer.statusCode < 300) return { ok: true };
      return { ok: false, status: answer.statusCode, message: `answered ${answer.statusCode}` };
    } catch (error) {
      if (stop.aborted) return { ok: false, message: 'stopped: shutdown, or lease lost' };
      if (signal.aborted) {
        return { ok: false, message: `no 2xx within WEBHOOK_TIMEOUT_MS (${this.timeoutMs} ms)` };
      }
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** `url` without the user and password it may hold, for the status route. */
export function urlWithoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
