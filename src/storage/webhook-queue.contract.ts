import type { WebhookEntry, WebhookQueue, WebhookQueueLimits } from './webhook-queue.js';

/**
 * The behaviour every webhook queue must have, run against memory and a real Redis. `create`
 * returns a fresh, empty queue; queues made by one call of `createShared` are one queue seen from
 * two nodes (for memory, the same object).
 */
export function describeWebhookQueue(
  name: string,
  create: (limits: WebhookQueueLimits) => WebhookQueue,
  createShared: (limits: WebhookQueueLimits) => [WebhookQueue, WebhookQueue],
) {
  const entry = (ts: number, label = String(ts)): WebhookEntry => ({
    ts,
    json: JSON.stringify({ id: label }),
  });
  const labelsOf = (entries: readonly { json: string }[]) =>
    entries.map((e) => (JSON.parse(e.json) as { id: string }).id);

  describe(`${name} webhook queue`, () => {
    it('gives a partition back oldest first, up to a limit, and forgets what is removed', async () => {
      const queue = create({ partitions: 2, perPartition: 100 });
      await queue.append(0, [entry(1), entry(2)]);
      await queue.append(1, [entry(10)]);
      await queue.append(0, [entry(3)]);

      const head = await queue.head(0, 2);
      expect(labelsOf(head)).toEqual(['1', '2']);
      expect(head.map((e) => e.ts)).toEqual([1, 2]);
      await queue.remove(
        0,
        head.map((e) => e.position),
      );
      expect(labelsOf(await queue.head(0, 10))).toEqual(['3']);
      expect(labelsOf(await queue.head(1, 10))).toEqual(['10']);
      // A position no longer there is no error.
      await queue.remove(
        0,
        head.map((e) => e.position),
      );
      expect(labelsOf(await queue.head(0, 10))).toEqual(['3']);
    });

    it('counts every waiting event, and tells the time of the oldest', async () => {
      const queue = create({ partitions: 3, perPartition: 100 });
      expect(await queue.backlog()).toEqual({ queued: 0, oldestTs: undefined, dropped: 0 });
      await queue.append(2, [entry(500), entry(700)]);
      await queue.append(0, [entry(600)]);
      expect(await queue.backlog()).toEqual({ queued: 3, oldestTs: 500, dropped: 0 });
    });

    it('keeps at most its bound per partition: the oldest go, counted with those dropped elsewhere', async () => {
      const queue = create({ partitions: 2, perPartition: 3 });
      await queue.append(0, [entry(1), entry(2)]);
      await queue.append(0, [entry(3), entry(4), entry(5)]);
      await queue.append(1, [entry(6)]);
      expect(labelsOf(await queue.head(0, 10))).toEqual(['3', '4', '5']);
      await queue.countDropped(4);
      expect(await queue.backlog()).toEqual({ queued: 4, oldestTs: 3, dropped: 6 });
    });

    it('lets one owner at a time hold a partition, which it extends and gives up', async () => {
      const [here, there] = createShared({ partitions: 2, perPartition: 10 });
      expect(await here.lease(0, 'a', 10_000)).toBe(true);
      expect(await there.lease(0, 'b', 10_000)).toBe(false);
      expect(await here.lease(0, 'a', 10_000)).toBe(true);
      expect(await there.lease(1, 'b', 10_000)).toBe(true);
      await there.release(0, 'b');
      expect(await there.lease(0, 'b', 10_000)).toBe(false);
      await here.release(0, 'a');
      expect(await there.lease(0, 'b', 10_000)).toBe(true);
    });

    it('gives a partition to another owner once its lease ran out', async () => {
      const [here, there] = createShared({ partitions: 1, perPartition: 10 });
      const leaseMs = 100;
      const leasedAt = Date.now();
      expect(await here.lease(0, 'a', leaseMs)).toBe(true);
      let taken = false;
      // Polled within a bound: nothing announces that a lease ran out.
      while (!taken && Date.now() - leasedAt < 2000) {
        taken = await there.lease(0, 'b', 10_000);
        if (!taken) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(taken).toBe(true);
      expect(Date.now() - leasedAt).toBeGreaterThanOrEqual(leaseMs - 5);
      expect(await here.lease(0, 'a', leaseMs)).toBe(false);
    });

    it('shares what waits and how deliveries went between nodes', async () => {
      const [here, there] = createShared({ partitions: 2, perPartition: 10 });
      await here.append(1, [entry(1, 'from here')]);
      expect(labelsOf(await there.head(1, 10))).toEqual(['from here']);
      expect(await there.outcomes()).toEqual({ lastSuccessAt: null });
      await here.noteSuccess(1234);
      await here.noteFailure({ at: 1300, status: 502, message: 'answered 502' });
      expect(await there.outcomes()).toEqual({
        lastSuccessAt: 1234,
        lastFailure: { at: 1300, status: 502, message: 'answered 502' },
      });
      await here.noteFailure({ at: 1400, message: 'connect ECONNREFUSED' });
      expect((await there.outcomes()).lastFailure).toEqual({
        at: 1400,
        message: 'connect ECONNREFUSED',
      });
    });
  });
}
