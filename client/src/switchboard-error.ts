import type { ErrorCode } from '../../src/contract/types.js';

/**
 * A request that the server refused (the reply's `error`), or that never got a reply: `INTERNAL`
 * for a timeout, `UNAUTHORIZED` for a refused handshake, and `CLOSED` when `close()` gave up on it.
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
