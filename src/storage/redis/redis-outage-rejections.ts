import type { Logger } from '../../logging/logger.js';

/**
 * Whether an error is ioredis flushing a client's queue: once Redis has stayed away for a few
 * reconnection attempts, every command still waiting in that client is rejected with it.
 */
export function isRedisQueueFlush(reason: unknown): boolean {
  return reason instanceof Error && reason.name === 'MaxRetriesPerRequestError';
}

/**
 * Socket.IO's streams adapter drops the promises of some commands it sends (some only while a node
 * starts or while sessions are restored), and Node ends the process on an unhandled rejection. A
 * queue flushed by an outage is no reason to stop serving: readiness and the outage log report the
 * outage, and the node recovers when Redis answers. Any other unhandled rejection is a bug, and
 * still ends the process.
 */
export function keepServingThroughRedisOutages(
  logger: Logger,
  target: Pick<NodeJS.Process, 'on'> = process,
): void {
  target.on('unhandledRejection', (reason: unknown) => {
    if (!isRedisQueueFlush(reason)) throw reason;
    logger.debug({ err: (reason as Error).message }, 'a redis command was dropped in an outage');
  });
}
