// Seeded randomness: every random choice of the soak comes from here, so that a seed gives the same
// schedule of faults, the same users, rooms and sends. Each actor (the fault plan, a client, the
// notifier) draws from a stream of its own, so that the order in which they happen to run does not
// change what any of them draws.

/** mulberry32: a 32-bit state, good enough spread for a test schedule, a few lines long. */
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: turns an actor's name into the part of its stream's seed that sets it apart. */
function hashOf(name) {
  let hash = 0x811c9dc5;
  for (const character of name) {
    hash ^= character.codePointAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The draws of one actor: the same `seed` and `name` give the same sequence. */
export class RandomStream {
  constructor(seed, name) {
    this.next = mulberry32(seed ^ hashOf(name));
  }

  /** A number in [low, high). */
  between(low, high) {
    return low + (high - low) * this.next();
  }

  /** An integer in [low, high]. */
  integer(low, high) {
    return low + Math.floor((high - low + 1) * this.next());
  }

  /** True with probability `probability`. */
  chance(probability) {
    return this.next() < probability;
  }

  /** One element; one draw whatever the length, so that a changing list does not shift later draws. */
  pick(items) {
    const draw = this.next();
    return items.length === 0 ? undefined : items[Math.floor(draw * items.length)];
  }

  /** The items in a new order. */
  shuffled(items) {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index--) {
      const other = Math.floor(this.next() * (index + 1));
      [copy[index], copy[other]] = [copy[other], copy[index]];
    }
    return copy;
  }
}

/** A seed for a run that was given none: a 32-bit integer, printed so that the run can be replayed. */
export function freshSeed() {
  return Math.floor(Math.random() * 2 ** 32);
}
