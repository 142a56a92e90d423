import type { IdempotencyClaim, IdempotencyStore, StoredAnswer } from '../stores.js';

interface Entry {
  /** Undefined while the first request is still at work. */
  answer?: StoredAnswer;
  expiresAt: number;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  /** key → entry, the oldest written first (a Map keeps insertion order): the first to go. */
  private readonly entries = new Map<string, Entry>();

  /**
   * `maxEntries` bounds the memory that callers inventing keys can take: beyond it the oldest
   * entry is forgotten before its time, and a repeat of its key does the work again.
   */
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  claim(key: string, pendingMs: number): Promise<IdempotencyClaim> {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expiresAt > this.now()) {
      return Promise.resolve(
        entry.answer === undefined
          ? { state: 'pending' }
          : { state: 'answered', answer: entry.answer },
      );
    }
    this.write(key, { expiresAt: this.now() + pendingMs });
    return Promise.resolve({ state: 'claimed' });
  }

  complete(key: string, answer: StoredAnswer, keepMs: number): Promise<void> {
    this.write(key, { answer, expiresAt: this.now() + keepMs });
    return Promise.resolve();
  }

  release(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }

  private write(key: string, entry: Entry): void {
    // Deleted first, so that the entry moves to the newest end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}
