import type { ErrorCode } from '@switchboard/contract';

/**
 * A request that the server refused (the reply's `error`), or that never got a reply: `TIMEOUT`
 * when no reply came in time (or the connection dropped under a request that is not safe to
 * repeat), `UNAUTHORIZED` for a refused handshake, and `CLOSED` once the session is over
 * (`close()`, or the server ended it for good).
 */
export class SwitchboardError extends Error {
  override readonly name = 'SwitchboardError';

  constructor(
    readonly code: ErrorCode | 'CLOSED' | 'TIMEOUT',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
