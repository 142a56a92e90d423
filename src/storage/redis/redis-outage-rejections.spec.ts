import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import pino from 'pino';
import { freePort } from '../../../test/support/redis-server.js';
import { isRedisQueueFlush, keepServingThroughRedisOutages } from './redis-outage-rejections.js';

/** The rejection that ioredis gives a command still queued when Redis stays away. */
async function queueFlushed(): Promise<unknown> {
  const client = new Redis(await freePort(), '127.0.0.1', {
    maxRetriesPerRequest: 1,
    retryStrategy: () => 10,
  });
  client.on('error', () => undefined);
  try {
    return await client.ping().then(
      () => undefined,
      (error: unknown) => error,
    );
  } finally {
    client.disconnect();
  }
}

describe('unhandled rejections of a redis outage', () => {
  const logger = pino({ level: 'silent' });

  it('recognises the rejection of a command flushed from a client queue while redis is away', async () => {
    expect(isRedisQueueFlush(await queueFlushed())).toBe(true);
    expect(isRedisQueueFlush(new Error('Connection is closed.'))).toBe(false);
    expect(isRedisQueueFlush('MaxRetriesPerRequestError')).toBe(false);
  });

  it('keeps the process serving through such a rejection, and ends it on any other', async () => {
    const process = new EventEmitter();
    keepServingThroughRedisOutages(logger, process as unknown as NodeJS.Process);
    const flushed = await queueFlushed();

    expect(() => process.emit('unhandledRejection', flushed)).not.toThrow();
    const bug = new TypeError('x is not a function');
    expect(() => process.emit('unhandledRejection', bug)).toThrow(bug);
  });
});
