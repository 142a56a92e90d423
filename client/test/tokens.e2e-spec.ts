import { uniqueId } from '../../test/support/identities.js';
import { ROOMS_TEST_ENV } from '../../test/support/rooms.js';
import { useServer } from '../../test/support/server.js';
import { secondsFromNow } from '../../test/support/signing-keys.js';
import { closeAllSwitchboards, openSwitchboard } from '../../test/support/switchboards.js';
import { signToken } from '../../test/support/tokens.js';
import type { Traffic, Welcome } from '../src/index.js';

describe('tokens (client library)', () => {
  const server = useServer(ROOMS_TEST_ENV);
  afterEach(() => closeAllSwitchboards());

  /** A token of `sub` that expires `seconds` from now. */
  const tokenFor = (sub: string, seconds: number) =>
    signToken({ sub, name: 'Alice' }, { expiresIn: secondsFromNow(seconds) });

  it('refreshes a short-lived token before it expires, and the session goes on past its exp', async () => {
    const id = uniqueId('alice');
    const firstExp = secondsFromNow(2);
    let calledPastFirstExp!: () => void;
    const pastFirstExp = new Promise<void>((resolve) => (calledPastFirstExp = resolve));
    const getToken = () => {
      if (Date.now() > firstExp * 1000) calledPastFirstExp();
      return tokenFor(id, 2);
    };
    const alice = openSwitchboard(server.url, {
      auth: { token: await signToken({ sub: id, name: 'Alice' }, { expiresIn: firstExp }) },
      getToken,
    });
    const welcomes: Welcome[] = [];
    const sessionEvents: Traffic[] = [];
    alice.on('welcome', (welcome) => welcomes.push(welcome));
    alice.on('traffic', (traffic) => {
      if (traffic.event === 'session:ended') sessionEvents.push(traffic);
    });
    await alice.connected();

    await pastFirstExp;
    // A reply on the first connection after its first token's exp: that session did not end.
    await alice.request('session:ping');
    expect(welcomes).toHaveLength(1);
    expect(sessionEvents).toEqual([]);
    expect(alice.state).toBe('connected');
  });

  it('asks getToken for a new token when the handshake is refused as unauthorized, then connects', async () => {
    const id = uniqueId('alice');
    let calls = 0;
    const alice = openSwitchboard(server.url, {
      auth: { token: await tokenFor(id, -60) },
      getToken: () => {
        calls++;
        return tokenFor(id, 3600);
      },
    });

    expect((await alice.connected()).user.id).toBe(id);
    expect(calls).toBe(1);
    expect(alice.user?.id).toBe(id);
  });

  it('is refused, with the reason, when the handshake is refused and no getToken can fix it', async () => {
    const alice = openSwitchboard(server.url, { auth: { token: 'garbage' } });

    await expect(alice.connected()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(alice.stateDetail).toEqual({ state: 'refused', reason: 'unauthorized' });
  });
});
