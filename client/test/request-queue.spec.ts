import { jest } from '@jest/globals';
import type { ClientEventName, Reply } from '@switchboard/contract';
import { RequestQueue, type RequestPolicy } from '../src/request-queue.js';
import { SwitchboardError } from '../src/switchboard-error.js';

interface Sent {
  event: ClientEventName;
  payload: unknown;
  reply(reply: Reply<unknown>): void;
}

const policy = (overrides: Partial<RequestPolicy> = {}): RequestPolicy => ({
  resendAfterDrop: false,
  resendAfterTimeout: false,
  beforeRejoined: false,
  inOrder: false,
  ...overrides,
});

function queue() {
  const sent: Sent[] = [];
  const requests = new RequestQueue(
    (event, payload, reply) => sent.push({ event, payload, reply }),
    1000,
  );
  return { requests, sent };
}

describe('RequestQueue', () => {
  afterEach(() => jest.useRealTimers());

  it('holds requests until ready, and sends in-order ones one at a time, in order', async () => {
    const { requests, sent } = queue();
    const sends = [1, 2, 3].map((n) => requests.request('chat:send', n, policy({ inOrder: true })));
    expect(sent).toHaveLength(0);
    requests.ready();
    for (const n of [1, 2, 3]) {
      expect(sent.map(({ payload }) => payload)).toEqual([1, 2, 3].slice(0, n));
      sent[n - 1].reply({ ok: true, data: n });
    }
    expect(await Promise.all(sends)).toEqual([1, 2, 3]);
  });

  it('sends a RATE_LIMITED request again after a pause', async () => {
    jest.useFakeTimers();
    const { requests, sent } = queue();
    requests.ready();
    const ping = requests.request('session:ping', undefined, policy());
    sent[0].reply({ ok: false, error: { code: 'RATE_LIMITED', message: 'slow down' } });
    expect(sent).toHaveLength(1);
    jest.advanceTimersByTime(250);
    sent[1].reply({ ok: true, data: 'pong' });
    expect(await ping).toBe('pong');
  });

  it('fails at once a RATE_LIMITED request that names a limit, which sending again would not pass', async () => {
    const { requests, sent } = queue();
    requests.ready();
    const refused = requests.request('chat:send', 'new room', policy({ inOrder: true }));
    const next = requests.request('chat:send', 'old room', policy({ inOrder: true }));
    const details = { limit: 'ROOMS_NEW_PER_HOUR' };
    sent[0].reply({ ok: false, error: { code: 'RATE_LIMITED', message: 'no more', details } });

    await expect(refused).rejects.toMatchObject({ code: 'RATE_LIMITED', details });
    expect(sent.map(({ payload }) => payload)).toEqual(['new room', 'old room']);
    sent[1].reply({ ok: true, data: 'stored' });
    expect(await next).toBe('stored');
  });

  it('sends again after a drop what is safe to repeat, and fails the rest with TIMEOUT', async () => {
    const { requests, sent } = queue();
    requests.ready();
    const history = requests.request('chat:history', 'h', policy({ resendAfterDrop: true }));
    const typing = requests.request('chat:typing', 't', policy());
    requests.down();
    await expect(typing).rejects.toMatchObject({ code: 'TIMEOUT' });
    requests.ready();
    expect(sent.map(({ payload }) => payload)).toEqual(['h', 't', 'h']);
    sent[2].reply({ ok: true, data: 'page' });
    expect(await history).toBe('page');
  });

  it('fails everything waiting or in flight, and every later request, with CLOSED', async () => {
    const { requests } = queue();
    requests.ready();
    const inFlight = requests.request('session:ping', undefined, policy());
    requests.down();
    const waiting = requests.request('chat:send', 'w', policy({ inOrder: true }));
    requests.close(new SwitchboardError('CLOSED', 'closed'));
    await expect(inFlight).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(requests.request('session:ping', undefined, policy())).rejects.toMatchObject({
      code: 'CLOSED',
    });
  });
});
