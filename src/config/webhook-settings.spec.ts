import { describe, expect, it } from '@jest/globals';
import { WEBHOOK_EVENT_TYPES } from '@switchboard/contract';
import { loadConfig } from './app-config.js';
import { configProblems } from '../../test/support/config-problems.js';

const SECRET = 'a-webhook-secret-of-32-characters';

describe('webhook settings', () => {
  it('are off without WEBHOOK_URL', () => {
    expect(loadConfig({}).webhooks).toBeUndefined();
  });

  it('have the contract defaults', () => {
    expect(
      loadConfig({ WEBHOOK_URL: 'http://127.0.0.1:9000/events', WEBHOOK_SECRET: SECRET }).webhooks,
    ).toEqual({
      url: 'http://127.0.0.1:9000/events',
      secret: SECRET,
      events: new Set(WEBHOOK_EVENT_TYPES),
      roomEventPatterns: [],
      presenceDelayMs: 5000,
      unacknowledgedMs: 30_000,
      batchMax: 50,
      batchMs: 50,
      timeoutMs: 5000,
      retrySeconds: 86_400,
      concurrency: 4,
      queueMax: 100_000,
    });
  });

  it('read the event types and the custom event patterns', () => {
    const webhooks = loadConfig({
      WEBHOOK_URL: 'https://backend.example.com/switchboard',
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_EVENTS: 'message.created, user.offline',
      WEBHOOK_ROOM_EVENTS: 'game:*,typing',
    }).webhooks;
    expect(webhooks?.events).toEqual(new Set(['message.created', 'user.offline']));
    expect(webhooks?.roomEventPatterns).toEqual(['game:*', 'typing']);
  });

  it('stop the start with one line naming WEBHOOK_SECRET when it is missing or short', () => {
    expect(configProblems({ WEBHOOK_URL: 'http://127.0.0.1:9000/' })).toEqual([
      expect.stringMatching(/^WEBHOOK_SECRET: /),
    ]);
    expect(
      configProblems({ WEBHOOK_URL: 'http://127.0.0.1:9000/', WEBHOOK_SECRET: 'short' }),
    ).toEqual([expect.stringMatching(/^WEBHOOK_SECRET: /)]);
  });

  it('refuse an unknown event type and a pattern that is not an event name', () => {
    const problems = configProblems({
      WEBHOOK_URL: 'http://127.0.0.1:9000/',
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_EVENTS: 'message.created,message.deleted',
      WEBHOOK_ROOM_EVENTS: 'game:*:x*',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^WEBHOOK_EVENTS: message\.deleted is not one of /),
      expect.stringMatching(/^WEBHOOK_ROOM_EVENTS: game:\*:x\* /),
    ]);
  });
});
