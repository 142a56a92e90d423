import type { Message, WebhookEvent } from '@switchboard/contract';
import { partitionOf } from '../../src/webhooks/partition.js';
import { uniqueId } from './identities.js';
import type { WebhookReceiver } from './webhook-receiver.js';

export const WEBHOOK_SECRET = 'a-webhook-secret-for-tests';
export const WEBHOOK_API_KEY = 'a-test-api-key-of-some-length';

/** A server's settings to deliver to `receiver`, fast enough for tests unless `env` says else. */
export function webhookEnv(
  receiver: WebhookReceiver,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    API_KEY: WEBHOOK_API_KEY,
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET,
    WEBHOOK_BATCH_MS: '10',
    ...env,
  };
}

/** The messages of the message.created events, in the order given. */
export function messagesOf(events: readonly WebhookEvent[]): Message[] {
  return events.flatMap((event) => (event.type === 'message.created' ? [event.data.message] : []));
}

/** Distinct room names whose events go to distinct partitions among `partitions`. */
export function roomsInDistinctPartitions(count: number, partitions: number): string[] {
  const rooms = new Map<number, string>();
  while (rooms.size < count) {
    const room = uniqueId('hooked');
    rooms.set(partitionOf(`room:${room}`, partitions), room);
  }
  return [...rooms.values()];
}
