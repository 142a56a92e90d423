/**
 * The listeners of the library's own events (a Switchboard's, a Room's): plain callbacks, so that
 * the library carries no emitter dependency and works the same in browsers and in Node.
 */
export type EventMap = { [name: string]: (...args: never[]) => unknown };

export class Listeners<Events extends EventMap> {
  private readonly byName = new Map<keyof Events, Set<Events[keyof Events]>>();

  /** Adds a listener; the returned function removes it. */
  on<E extends keyof Events>(name: E, listener: Events[E]): () => void {
    let listeners = this.byName.get(name);
    if (!listeners) this.byName.set(name, (listeners = new Set()));
    listeners.add(listener);
    return () => this.off(name, listener);
  }

  off<E extends keyof Events>(name: E, listener: Events[E]): void {
    this.byName.get(name)?.delete(listener);
  }

  /**
   * Calls every listener of `name` and returns what each returned. A listener that throws is
   * reported and skipped: one faulty handler must not stop delivery to the others, nor break the
   * library's own bookkeeping (offsets, acknowledgements) that runs after it.
   */
  emit<E extends keyof Events>(name: E, ...args: Parameters<Events[E]>): unknown[] {
    const results: unknown[] = [];
    for (const listener of [...(this.byName.get(name) ?? [])]) {
      try {
        results.push((listener as (...args: Parameters<Events[E]>) => unknown)(...args));
      } catch (error) {
        console.error(`a "${String(name)}" listener threw`, error);
      }
    }
    return results;
  }

  clear(): void {
    this.byName.clear();
  }
}
