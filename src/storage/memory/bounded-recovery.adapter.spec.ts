import { jest } from '@jest/globals';
import { Server } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';
import { BoundedRecoveryAdapter } from './bounded-recovery.adapter.js';

const MAX_PACKETS = 3;
const WINDOW_MS = 120_000;
const MAX_SESSIONS = 2;

describe('BoundedRecoveryAdapter', () => {
  let adapter: Adapter;
  let now: number;

  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const server = new Server({
      adapter: BoundedRecoveryAdapter.keeping(MAX_PACKETS, MAX_SESSIONS),
      connectionStateRecovery: { maxDisconnectionDuration: WINDOW_MS },
    });
    adapter = server.of('/').adapter;
  });
  afterEach(async () => {
    // Never attached to an HTTP server: closing the adapter (its sweeping timer) is all there is.
    await adapter.close();
    jest.restoreAllMocks();
  });

  /** Broadcasts an event to `rooms` (everyone when empty) and returns the offset it was given. */
  function broadcast(text: string, rooms: string[] = [], flags = {}): string {
    const data: unknown[] = ['chat:message', text];
    adapter.broadcast({ type: 2, data }, { rooms: new Set(rooms), except: new Set(), flags });
    return data.at(-1) as string;
  }
  function disconnect(rooms: string[]): void {
    adapter.persistSession({ sid: 'sid', pid: 'pid', rooms, data: {} });
  }
  const restored = (offset: string) => adapter.restoreSession('pid', offset);

  it('gives a returning client what it missed in its rooms, and nothing of other rooms', async () => {
    const offset = broadcast('seen', ['r1']);
    disconnect(['r1']);
    broadcast('missed in r1', ['r1']);
    broadcast('other room', ['r2']);

    expect(await restored(offset)).toMatchObject({
      sid: 'sid',
      rooms: ['r1'],
      missedPackets: [['chat:message', 'missed in r1', expect.any(String)]],
    });
  });

  it('recovers a client that missed fewer packets than it keeps', async () => {
    const offset = broadcast('seen');
    disconnect([]);
    for (let index = 0; index < MAX_PACKETS - 1; index += 1) broadcast(`missed ${index}`);

    expect((await restored(offset))?.missedPackets).toHaveLength(MAX_PACKETS - 1);
  });

  it('does not recover a client whose last packet was dropped for the ones after it', async () => {
    const offset = broadcast('seen');
    disconnect([]);
    for (let index = 0; index < MAX_PACKETS; index += 1) broadcast(`missed ${index}`);

    expect(await restored(offset)).toBeNull();
  });

  it('does not recover after the window, nor with an unknown offset or session', async () => {
    const offset = broadcast('seen');
    disconnect([]);
    expect(await adapter.restoreSession('other-pid', offset)).toBeNull();
    expect(await restored('unknown-offset')).toBeNull();
    now += WINDOW_MS + 1;
    expect(await restored(offset)).toBeNull();
  });

  it('keeps neither volatile packets nor packets awaiting an acknowledgement', async () => {
    const offset = broadcast('seen');
    disconnect([]);
    broadcast('volatile', [], { volatile: true });
    adapter.broadcast(
      { type: 2, id: 7, data: ['with ack'] },
      { rooms: new Set(), except: new Set(), flags: {} },
    );

    expect((await restored(offset))?.missedPackets).toEqual([]);
  });

  it('keeps the sessions of the last disconnected sockets only, up to its bound', async () => {
    const offset = broadcast('seen');
    for (const pid of ['p1', 'p2', 'p3']) {
      adapter.persistSession({ sid: pid, pid, rooms: [], data: {} });
    }
    expect(await adapter.restoreSession('p1', offset)).toBeNull();
    expect(await adapter.restoreSession('p2', offset)).toMatchObject({ sid: 'p2' });
    expect(await adapter.restoreSession('p3', offset)).toMatchObject({ sid: 'p3' });
  });
});
