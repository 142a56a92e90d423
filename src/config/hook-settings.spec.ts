import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './app-config.js';
import { configProblems } from '../../test/support/config-problems.js';

const SECRET = 'a-hook-secret-of-32-characters!!';

describe('hook settings', () => {
  it('are off without any hook URL', () => {
    expect(loadConfig({ HOOK_SECRET: SECRET }).hooks).toBeUndefined();
  });

  it('have the contract defaults', () => {
    expect(
      loadConfig({ HOOK_RPC_URL: 'http://127.0.0.1:9000/rpc', HOOK_SECRET: SECRET }).hooks,
    ).toEqual({
      connectUrl: undefined,
      joinUrl: undefined,
      publishUrl: undefined,
      rpcUrl: 'http://127.0.0.1:9000/rpc',
      secret: SECRET,
      timeoutMs: 2000,
      maxInFlight: 256,
      connectHeaders: ['cookie', 'authorization', 'user-agent', 'origin'],
      publishRoomPatterns: ['*'],
    });
  });

  it('read the headers and the room patterns', () => {
    const hooks = loadConfig({
      HOOK_PUBLISH_URL: 'https://app.example.com/hooks/publish',
      HOOK_SECRET: SECRET,
      HOOK_CONNECT_HEADERS: 'Cookie, X-Tenant',
      HOOK_PUBLISH_ROOMS: 'moderated, support:*',
    }).hooks;
    expect(hooks?.connectHeaders).toEqual(['cookie', 'x-tenant']);
    expect(hooks?.publishRoomPatterns).toEqual(['moderated', 'support:*']);
  });

  it('stop the start with one line naming HOOK_SECRET when it is missing or short', () => {
    expect(configProblems({ HOOK_JOIN_URL: 'http://127.0.0.1:9000/join' })).toEqual([
      expect.stringMatching(/^HOOK_SECRET: /),
    ]);
    expect(
      configProblems({ HOOK_JOIN_URL: 'http://127.0.0.1:9000/join', HOOK_SECRET: 'short' }),
    ).toEqual([expect.stringMatching(/^HOOK_SECRET: /)]);
  });

  it('refuse a URL that is not http(s) and a bad room pattern, naming each', () => {
    expect(
      configProblems({
        HOOK_CONNECT_URL: 'ftp://example.com/connect',
        HOOK_SECRET: SECRET,
        HOOK_PUBLISH_URL: 'http://127.0.0.1:9000/publish',
        HOOK_PUBLISH_ROOMS: 'a b',
      }),
    ).toEqual([
      expect.stringMatching(/^HOOK_CONNECT_URL: /),
      expect.stringMatching(/^HOOK_PUBLISH_ROOMS: /),
    ]);
  });
});
