import { SwitchboardError } from '../src/index.js';
import { useHookBackend } from '../../test/support/hook-backend.js';
import { uniqueId } from '../../test/support/identities.js';
import { useServer } from '../../test/support/server.js';
import { closeAllSwitchboards, openSwitchboard } from '../../test/support/switchboards.js';

describe('the client library and the hooks', () => {
  const env: Record<string, string> = { HOOK_PUBLISH_ROOMS: 'moderated-*' };
  const hooks = useHookBackend(env, ['rpc', 'publish', 'connect']);
  const server = useServer(env);
  afterEach(() => closeAllSwitchboards());

  beforeAll(() => hooks.backend.answer('/connect', () => ({ body: { guest: true } })));

  it('connects again by itself after the connect hook was unavailable', async () => {
    let failures = 2;
    hooks.backend.answer('/connect', () =>
      failures-- > 0 ? { status: 503 } : { body: { user: { id: 'back', name: 'Back' } } },
    );
    const sb = openSwitchboard(server.url);

    expect((await sb.connected()).user).toEqual({ id: 'back', name: 'Back' });
    hooks.backend.answer('/connect', () => ({ body: { guest: true } }));
  });

  it("rpc resolves with the backend's data", async () => {
    hooks.backend.answer('/rpc', ({ body }) => ({
      body: { data: { total: 3, asked: body.data } },
    }));
    const sb = openSwitchboard(server.url, { auth: { name: 'alice' } });

    expect(await sb.rpc('cart.total', { cartId: 42 })).toEqual({ total: 3, asked: { cartId: 42 } });
    expect(await sb.rpc('nothing')).toEqual({ total: 3, asked: null });
  });

  it("rpc rejects with the backend's refusal, and with UNAVAILABLE when it fails", async () => {
    hooks.backend.answer('/rpc', ({ body }) =>
      body.method === 'forbidden'
        ? { status: 403, body: { code: 'FORBIDDEN', message: 'not your cart' } }
        : { status: 502, body: {} },
    );
    const sb = openSwitchboard(server.url, { auth: { name: 'alice' } });

    await expect(sb.rpc('forbidden')).rejects.toEqual(
      new SwitchboardError('FORBIDDEN', 'not your cart'),
    );
    const failed = sb.rpc('broken');
    await expect(failed).rejects.toBeInstanceOf(SwitchboardError);
    await expect(failed).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it("room.send rejects with the publish hook's refusal", async () => {
    hooks.backend.answer('/publish', () => ({ body: { allow: false, message: 'no links' } }));
    const sb = openSwitchboard(server.url, { auth: { name: 'alice' } });
    const room = await sb.join(uniqueId('moderated'));

    await expect(room.send('http://spam')).rejects.toEqual(
      new SwitchboardError('FORBIDDEN', 'no links'),
    );
  });
});
