import { ConnectHook } from '../hooks/connect-hook.js';
import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { signToken, TEST_JWT_SECRET } from '../../test/support/tokens.js';
import { AppConfig, loadConfig } from '../config/app-config.js';
import type { Identity } from '@switchboard/contract';
import { Delivery } from '../realtime/delivery.js';
import { SessionEnds } from '../realtime/session-ends.js';
import type { Audience } from '../realtime/socket-server.js';
import { Authenticator } from './authenticator.js';
import { EXPIRY_NOTICE_MS, SessionLifetime, TOKEN_EXPIRED_MESSAGE } from './session-lifetime.js';

/** Records what the lifetime asks of delivery and of session ends: notices and ended sessions. */
class RecordingRealtime {
  readonly sent: [Audience, string, unknown][] = [];
  readonly ended: [Audience, string, string][] = [];
  send(audience: Audience, event: string, payload: unknown): void {
    this.sent.push([audience, event, payload]);
  }
  endSessions(audience: Audience, reason: string, message: string): void {
    this.ended.push([audience, reason, message]);
  }
}

const NOW = Date.parse('2030-01-01T00:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const alice = (expiresAt?: number): Identity => ({
  id: 'alice',
  name: 'Alice',
  roles: [],
  expiresAt,
});
const notice = (expiresAt: number) => [{ socketId: 's1' }, 'session:expiring', { expiresAt }];
const expiry = [{ socketId: 's1' }, 'token_expired', TOKEN_EXPIRED_MESSAGE];

describe('SessionLifetime', () => {
  let lifetime: SessionLifetime;
  let realtime: RecordingRealtime;

  beforeEach(async () => {
    // Timers and the clock only: token verification runs on promises and the crypto thread pool.
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    realtime = new RecordingRealtime();
    const moduleRef = await Test.createTestingModule({
      providers: [
        SessionLifetime,
        Authenticator,
        { provide: ConnectHook, useValue: { enabled: false } },
        { provide: Delivery, useValue: realtime },
        { provide: SessionEnds, useValue: realtime },
        { provide: AppConfig, useValue: loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET }) },
      ],
    }).compile();
    lifetime = moduleRef.get(SessionLifetime);
  });
  afterEach(() => jest.useRealTimers());

  it('tells the socket 60 seconds before exp, and ends its session at exp', () => {
    const expiresAt = NOW + 2 * EXPIRY_NOTICE_MS;
    lifetime.began('s1', alice(expiresAt));

    jest.advanceTimersByTime(EXPIRY_NOTICE_MS - 1);
    expect(realtime.sent).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(realtime.sent).toEqual([notice(expiresAt)]);
    jest.advanceTimersByTime(EXPIRY_NOTICE_MS - 1);
    expect(realtime.ended).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(realtime.ended).toEqual([expiry]);
  });

  it('tells the socket at once when less than 60 seconds are left', () => {
    lifetime.began('s1', alice(NOW + 10_000));
    jest.advanceTimersByTime(0);
    expect(realtime.sent).toEqual([notice(NOW + 10_000)]);
  });

  it('ends a session whose token expired already (a recovered one) at once, without a notice', () => {
    lifetime.began('s1', alice(NOW - 1000));
    jest.advanceTimersByTime(0);
    expect(realtime.sent).toEqual([]);
    expect(realtime.ended).toEqual([expiry]);
  });

  it('sets no timer for a guest or a token without exp', () => {
    lifetime.began('s1', alice());
    expect(jest.getTimerCount()).toBe(0);
  });

  it('holds one timer per socket at most, and none once the socket has gone', () => {
    lifetime.began('s1', alice(NOW + 2 * EXPIRY_NOTICE_MS));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(EXPIRY_NOTICE_MS);
    expect(jest.getTimerCount()).toBe(1);
    lifetime.ended('s1');
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(EXPIRY_NOTICE_MS);
    expect(realtime.ended).toEqual([]);
  });

  it('waits for an exp beyond what one setTimeout can hold (30 days)', () => {
    const expiresAt = NOW + 30 * DAY_MS;
    lifetime.began('s1', alice(expiresAt));
    jest.advanceTimersByTime(29 * DAY_MS);
    expect(realtime.sent).toEqual([]);
    jest.advanceTimersByTime(DAY_MS - EXPIRY_NOTICE_MS);
    expect(realtime.sent).toEqual([notice(expiresAt)]);
    jest.advanceTimersByTime(EXPIRY_NOTICE_MS);
    expect(realtime.ended).toEqual([expiry]);
  });

  describe('refresh', () => {
    const exp = (fromNowMs: number) => (NOW + fromNowMs) / 1000;

    it('gives the socket the new token’s identity and lifetime', async () => {
      lifetime.began('s1', alice(NOW + 30_000));
      const token = await signToken(
        { sub: 'alice', name: 'Alice B.', roles: ['admin'], rooms: ['private:x'] },
        { expiresIn: exp(10 * EXPIRY_NOTICE_MS) },
      );

      await expect(lifetime.refresh('s1', alice(NOW + 30_000), token)).resolves.toEqual({
        id: 'alice',
        name: 'Alice B.',
        roles: ['admin'],
        rooms: ['private:x'],
        expiresAt: NOW + 10 * EXPIRY_NOTICE_MS,
      });
      jest.advanceTimersByTime(9 * EXPIRY_NOTICE_MS - 1);
      expect(realtime.sent).toEqual([]);
      expect(realtime.ended).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(realtime.sent).toEqual([notice(NOW + 10 * EXPIRY_NOTICE_MS)]);
      expect(jest.getTimerCount()).toBe(1);
    });

    it('refuses a token of another user as FORBIDDEN, and an invalid one as UNAUTHORIZED', async () => {
      lifetime.began('s1', alice(NOW + 30_000));
      const bobs = await signToken({ sub: 'bob' }, { expiresIn: exp(DAY_MS) });
      await expect(lifetime.refresh('s1', alice(), bobs)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(lifetime.refresh('s1', alice(), 'garbage')).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
      jest.advanceTimersByTime(30_000);
      expect(realtime.ended).toEqual([expiry]);
    });

    it('schedules nothing for a socket that went while its token was verified', async () => {
      const token = await signToken({ sub: 'alice' }, { expiresIn: exp(DAY_MS) });
      lifetime.began('s1', alice(NOW + 30_000));
      const refreshing = lifetime.refresh('s1', alice(), token);
      lifetime.ended('s1');
      await refreshing;
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
