/**
 * The last `capacity` items pushed, oldest first. Pushing onto a full buffer overwrites the
 * oldest item in constant time, where `Array.shift` would move every item of a long history.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[] = [];
  private head = 0;
  private count = 0;

  constructor(private readonly capacity: number) {}

  get length(): number {
    return this.count;
  }

  /** Appends `item` and returns the item it pushed out, if the buffer was full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.items[(this.head + this.count) % this.capacity] = item;
      this.count += 1;
      return undefined;
    }
    const evicted = this.items[this.head];
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return evicted;
  }

  /** The item `index` places from the oldest, or undefined past the end. */
  at(index: number): T | undefined {
    return index >= 0 && index < this.count
      ? this.items[(this.head + index) % this.capacity]
      : undefined;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const oldest = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count -= 1;
    return oldest;
  }

  /** Items `start` (inclusive) to `end` (exclusive), counted from the oldest. */
  slice(start: number, end: number): T[] {
    const slice: T[] = [];
    for (let index = Math.max(0, start); index < Math.min(end, this.count); index += 1) {
      slice.push(this.items[(this.head + index) % this.capacity] as T);
    }
    return slice;
  }
}
