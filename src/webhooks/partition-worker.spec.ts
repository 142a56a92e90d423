import { MemoryWebhookQueue } from '../storage/memory/memory-webhook-queue.js';
import {
  PartitionWorker,
  type PartitionWorkerOptions,
  type WorkerReport,
} from './partition-worker.js';
import type { TryOutcome } from './webhook-endpoint.js';

/** A queue whose lease can be taken away, or stop answering, as Redis's can. */
class LeaseControlledQueue extends MemoryWebhookQueue {
  leaseState: 'held' | 'lost' | 'unanswered' = 'held';
  override lease(partition: number, owner: string, leaseMs: number): Promise<boolean> {
    if (this.leaseState === 'unanswered') return Promise.reject(new Error('Connection is closed.'));
    if (this.leaseState === 'lost') return Promise.resolve(false);
    return super.lease(partition, owner, leaseMs);
  }
}

/** A backend that never answers: each try resolves only when its signal aborts it. */
function hangingBackend() {
  const tries: { deliveryId: string; aborted: Promise<void> }[] = [];
  let onTry: (() => void) | undefined;
  const send = (_: string, deliveryId: string, lapse: AbortSignal): Promise<TryOutcome> =>
    new Promise((resolve) => {
      const aborted = new Promise<void>((done) =>
        lapse.addEventListener('abort', () => {
          done();
          resolve({ ok: false, message: 'aborted' });
        }),
      );
      tries.push({ deliveryId, aborted });
      onTry?.();
    });
  const nextTry = () => new Promise<void>((resolve) => (onTry = resolve));
  return { tries, send, nextTry };
}

function workerOver(queue: MemoryWebhookQueue, send: PartitionWorkerOptions['send']) {
  const reports: WorkerReport[] = [];
  const worker = new PartitionWorker(0, {
    queue,
    owner: 'this-node',
    leaseMs: 300,
    batchMax: 10,
    batchMs: 0,
    retrySeconds: 60,
    pollMs: 10,
    send,
    report: (report) => reports.push(report),
  });
  return { worker, reports };
}

describe('PartitionWorker', () => {
  it.each(['lost', 'unanswered'] as const)(
    'stops its try in flight when its lease ends (%s), and leaves the events queued',
    async (what) => {
      const queue = new LeaseControlledQueue({ partitions: 1, perPartition: 10 });
      await queue.append(0, [{ ts: Date.now(), json: '{"id":"e1"}' }]);
      const backend = hangingBackend();
      const { worker, reports } = workerOver(queue, backend.send);
      const firstTry = backend.nextTry();
      worker.start();
      await firstTry;

      queue.leaseState = what;
      await backend.tries[0].aborted;
      await worker.stop();

      expect(backend.tries).toHaveLength(1);
      expect((await queue.head(0, 10)).map((entry) => entry.json)).toEqual(['{"id":"e1"}']);
      // Cut short by the lease: no failure of the backend to tell.
      expect(reports.filter((report) => report.kind === 'failed')).toEqual([]);
    },
  );

  it('removes the events of a delivery once the backend took them', async () => {
    const queue = new LeaseControlledQueue({ partitions: 1, perPartition: 10 });
    await queue.append(0, [
      { ts: Date.now(), json: '{"id":"e1"}' },
      { ts: Date.now(), json: '{"id":"e2"}' },
    ]);
    const bodies: string[] = [];
    let delivered: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (delivered = resolve));
    const { worker } = workerOver(queue, (body) => {
      bodies.push(body);
      setImmediate(delivered);
      return Promise.resolve({ ok: true });
    });
    worker.start();
    await done;
    await worker.stop();
    expect(bodies).toEqual(['{"events":[{"id":"e1"},{"id":"e2"}]}']);
    expect(await queue.head(0, 10)).toEqual([]);
  });
});
