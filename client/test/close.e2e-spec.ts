import { Switchboard } from '../src/index.js';
import { startNodeProcess, type NodeProcess } from '../../test/support/node-process.js';
import { freePort } from '../../test/support/redis-server.js';
import { dropConnection } from '../../test/support/switchboards.js';

/** The resources that would keep a process alive: sockets and timers, by kind. */
function openHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'TCPSocketWrap' || kind === 'Timeout')
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

const CLOSE_TIMEOUT_MS = 10_000;

/** Resolves once no more handles of any kind are open than in `baseline` (a socket closes in a few ticks). */
async function handlesBackTo(baseline: Map<string, number>): Promise<void> {
  const deadline = Date.now() + CLOSE_TIMEOUT_MS;
  const exceeding = () =>
    [...openHandles()].filter(([kind, count]) => count > (baseline.get(kind) ?? 0));
  while (exceeding().length > 0) {
    if (Date.now() > deadline) {
      throw new Error(`still open after close(): ${JSON.stringify(exceeding())}`);
    }
    // An immediate is not counted above, unlike the timer of a timed wait.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('close() (client library)', () => {
  // The server runs in a child process, so that this process holds only the client's handles.
  let server: NodeProcess | undefined;
  beforeAll(async () => {
    server = await startNodeProcess({ LOG_LEVEL: 'silent' });
  });
  afterAll(() => server?.stop());

  it('rejects waiting promises with CLOSED and leaves no socket or timer open', async () => {
    const baseline = openHandles();
    const alice = new Switchboard(server!.url, { auth: { name: 'alice' } });
    const room = await alice.join('lobby');
    await dropConnection(alice);
    const waiting = [room.send('never sent'), alice.connected(), alice.request('session:ping')];
    const states: string[] = [];
    alice.on('state', (state, detail) => states.push(`${state}:${detail.reason}`));

    alice.close();

    for (const promise of waiting) await expect(promise).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(alice.join('another')).rejects.toMatchObject({ code: 'CLOSED' });
    expect(states).toEqual(['disconnected:closed']);
    expect(alice.stateDetail).toEqual({ state: 'disconnected', reason: 'closed' });
    await handlesBackTo(baseline);
  });

  it('stops trying to reach a server that never answered', async () => {
    const baseline = openHandles();
    const nobody = new Switchboard(`http://127.0.0.1:${await freePort()}`, {
      transports: ['websocket'],
    });
    const welcome = nobody.connected();

    nobody.close();

    await expect(welcome).rejects.toMatchObject({ code: 'CLOSED' });
    await handlesBackTo(baseline);
  });
});
