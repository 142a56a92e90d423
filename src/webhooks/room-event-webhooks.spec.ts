import { jest } from '@jest/globals';
import { createServices } from '../../test/support/services.js';
import { AppConfig } from '../config/app-config.js';
import type { RoomEvent } from '@switchboard/contract';
import { RoomEventWebhooks } from './room-event-webhooks.js';
import { Webhooks } from './webhooks.js';

const ON = { WEBHOOK_URL: 'http://127.0.0.1:9/hooks', WEBHOOK_SECRET: 'a-secret-of-16-chars' };
const alice = { id: 'alice', name: 'Alice' };

async function roomEventWebhooks(env: Record<string, string>) {
  const { moduleRef } = await createServices(env);
  const webhooks = moduleRef.get(Webhooks);
  const record = jest.spyOn(webhooks, 'record').mockImplementation(() => undefined);
  return { events: new RoomEventWebhooks(webhooks, moduleRef.get(AppConfig)), record };
}

const roomEvent = (event: string, data: unknown = null): RoomEvent => ({
  room: 'lobby',
  event,
  data,
  user: alice,
  ts: 1,
});

describe('room.event', () => {
  it('tells the events whose name is one of the patterns, or starts with a prefix ending in *', async () => {
    const { events, record } = await roomEventWebhooks({
      ...ON,
      WEBHOOK_ROOM_EVENTS: 'cursor, game:*',
    });
    for (const name of ['cursor', 'cursors', 'game:move', 'game', 'typing']) {
      events.relayed(roomEvent(name));
    }
    expect(record.mock.calls.map(([, data]) => (data as RoomEvent).event)).toEqual([
      'cursor',
      'game:move',
    ]);
    expect(record.mock.calls[0]).toEqual(['room.event', roomEvent('cursor'), 'room:lobby']);
  });

  it('tells none by default, nor while room.event is left out of WEBHOOK_EVENTS', async () => {
    expect((await roomEventWebhooks(ON)).events.wanted).toBe(false);
    const filtered = await roomEventWebhooks({
      ...ON,
      WEBHOOK_ROOM_EVENTS: '*',
      WEBHOOK_EVENTS: 'message.created',
    });
    expect(filtered.events.wanted).toBe(false);
    filtered.events.relayed(roomEvent('anything'));
    expect(filtered.record).not.toHaveBeenCalled();
    expect((await roomEventWebhooks({ WEBHOOK_ROOM_EVENTS: '*' })).events.wanted).toBe(false);
  });

  it('carries binary values, nested too, as { $binary: standard base64 }', async () => {
    const { events, record } = await roomEventWebhooks({ ...ON, WEBHOOK_ROOM_EVENTS: '*' });
    const data = {
      file: Buffer.from([0xfb, 0xff, 0x00]),
      parts: [1, { raw: new Uint8Array([1]) }],
    };
    events.relayed(roomEvent('upload', data));
    expect(record.mock.calls[0][1]).toMatchObject({
      data: { file: { $binary: '+/8A' }, parts: [1, { raw: { $binary: 'AQ==' } }] },
    });
  });
});
