import { jest } from '@jest/globals';
import { createServices } from '../../test/support/services.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { UnacknowledgedNotifications } from './unacknowledged-notifications.js';
import { Webhooks } from './webhooks.js';

const WAIT_MS = 30_000;
const ON = {
  WEBHOOK_URL: 'http://127.0.0.1:9/hooks',
  WEBHOOK_SECRET: 'a-secret-of-16-chars',
  WEBHOOK_UNACKNOWLEDGED_MS: String(WAIT_MS),
};
const system = { kind: 'system', user: { id: 'system', name: 'System' } } as const;

describe('notification.unacknowledged', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 0, 1), doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  async function start(env: Record<string, string> = ON) {
    const services = await createServices(env);
    const webhooks = services.moduleRef.get(Webhooks);
    const record = jest.spyOn(webhooks, 'record').mockImplementation(() => undefined);
    const notifications = services.moduleRef.get(NotificationsService);
    const claims = services.moduleRef.get(UnacknowledgedNotifications);
    const notify = (userId: string, title: string) =>
      notifications.send(system, { target: { userId }, title, body: 'b' });
    /** Claims what is due once `ms` have passed. */
    const after = async (ms: number) => {
      jest.setSystemTime(Date.now() + ms);
      await claims.claimDue();
    };
    return { services, record, notify, after };
  }
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  it('tells, once, a notification of an offline user left unacknowledged for the time', async () => {
    const { record, notify, services, after } = await start();
    services.delivery.socketsPerAudience = 0;
    const { id } = await notify('bob', 'for bob');
    await after(WAIT_MS - 1);
    expect(record).not.toHaveBeenCalled();
    await after(1);
    const [notification] = await services.pending.pending('bob');
    expect(notification.id).toBe(id);
    expect(record.mock.calls).toEqual([
      ['notification.unacknowledged', { userId: 'bob', notification }, 'user:bob'],
    ]);
    await after(WAIT_MS);
    expect(record).toHaveBeenCalledTimes(1);
  });

  it('tells nothing of a notification that a socket of its user acknowledged', async () => {
    const { record, notify, services, after } = await start();
    services.delivery.socketsPerAudience = 1;
    await notify('bob', 'acknowledged');
    await settled();
    expect(await services.pending.pending('bob')).toEqual([]);
    await after(WAIT_MS);
    expect(record).not.toHaveBeenCalled();
  });

  it('schedules nothing while the type is not sent', async () => {
    const { record, notify, services, after } = await start({
      ...ON,
      WEBHOOK_EVENTS: 'user.online',
    });
    await notify('bob', 'not told');
    expect(await services.pending.claimUnacknowledged(Date.now() + 2 * WAIT_MS, 10)).toEqual([]);
    await after(WAIT_MS);
    expect(record).not.toHaveBeenCalled();
  });
});
