import { jest } from '@jest/globals';
import { describeWithChromium, useChromium } from '../support/chromium.js';
import { useConsolePages } from '../support/console-page.js';
import { useHookBackend } from '../support/hook-backend.js';
import { useServer } from '../support/server.js';

// A browser's steps take longer than a socket's.
jest.setTimeout(60_000);

describeWithChromium('the console and the hooks, in Chromium', () => {
  const env: Record<string, string> = {};
  const hooks = useHookBackend(env, ['connect', 'rpc']);
  const server = useServer(env);
  const chromium = useChromium();
  const open = useConsolePages(
    () => chromium.browser,
    () => server.url,
  );

  beforeAll(() => {
    hooks.backend.answer('/connect', ({ body }) =>
      (body.headers as Record<string, string>).cookie === 'sid=carla-session'
        ? { body: { user: { id: 'carla', name: 'Carla' } } }
        : { body: { guest: true } },
    );
    hooks.backend.answer('/rpc', ({ body }) =>
      body.method === 'cart.total'
        ? { body: { data: { total: 3, cart: body.data } } }
        : { status: 403, body: { code: 'FORBIDDEN', message: 'not for you' } },
    );
  });

  it('signs in a browser by its session cookie, through the connect hook', async () => {
    const console = await open();
    await console.context.addCookies([{ name: 'sid', value: 'carla-session', url: server.url }]);

    await console.page.getByRole('button', { name: 'Connect', exact: true }).click();

    await console.stateReads('Connected as Carla');
    const asked = hooks.backend.receivedAt('/connect').at(-1)!;
    expect(asked.body).toMatchObject({
      headers: { cookie: 'sid=carla-session', origin: server.url },
      transport: 'websocket',
    });
  });

  it('asks the application from the RPC form, showing the answer and the refusal, and logging both', async () => {
    const console = await open();
    await console.connectAsGuest('dora');
    await console.page.getByText('Ask the application (rpc)').click();
    const result = console.page.locator('#rpc-result');

    await console.page.getByLabel('Method', { exact: true }).fill('cart.total');
    await console.page.getByLabel('Method data (JSON)').fill('{"cartId": 7}');
    await console.page.getByRole('button', { name: 'Ask', exact: true }).click();
    await result.filter({ hasText: 'Answer: {"total":3,"cart":{"cartId":7}}' }).waitFor();

    await console.page.getByLabel('Method', { exact: true }).fill('admin.secrets');
    await console.page.getByRole('button', { name: 'Ask', exact: true }).click();
    await result.filter({ hasText: 'Failed: FORBIDDEN: not for you' }).waitFor();

    const log = console.page.getByRole('list', { name: 'Event log' });
    await log.getByRole('listitem').filter({ hasText: 'cart.total' }).first().waitFor();
    await log.getByRole('listitem').filter({ hasText: 'not for you' }).first().waitFor();
  });
});
