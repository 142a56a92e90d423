import type { IdempotencyStore } from './stores.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The behaviour every idempotency store must have (see stores.contract.ts for the others). */
export function describeIdempotencyStore(
  name: string,
  create: () => Promise<IdempotencyStore> | IdempotencyStore,
) {
  describe(`${name} idempotency store`, () => {
    it('lets the first request claim a key, and tells the next one that it is pending', async () => {
      const store = await create();
      expect(await store.claim('k', MINUTE)).toEqual({ state: 'claimed' });
      expect(await store.claim('k', MINUTE)).toEqual({ state: 'pending' });
      expect(await store.claim('other', MINUTE)).toEqual({ state: 'claimed' });
    });

    it('lets exactly one of requests sent together claim a key', async () => {
      const store = await create();
      const claims = await Promise.all(Array.from({ length: 10 }, () => store.claim('k', MINUTE)));
      expect(claims.filter((claim) => claim.state === 'claimed')).toHaveLength(1);
    });

    it('returns the answer of a completed key, status and body as they were', async () => {
      const store = await create();
      await store.claim('k', MINUTE);
      const answer = { status: 201, body: { id: 'm1', user: { id: 'system' }, offset: 3 } };
      await store.complete('k', answer, DAY);
      expect(await store.claim('k', MINUTE)).toEqual({ state: 'answered', answer });
    });

    it('lets a released key be claimed again', async () => {
      const store = await create();
      await store.claim('k', MINUTE);
      await store.release('k');
      expect(await store.claim('k', MINUTE)).toEqual({ state: 'claimed' });
    });
  });
}
