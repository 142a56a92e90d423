// The violations of a run.

/** Violations found in a run, in the order found; one that happens again is counted, not repeated. */
export class Findings {
  constructor(timeline) {
    this.timeline = timeline;
    this.byText = new Map();
  }

  add(kind, text) {
    const key = `${kind} ${text}`;
    const known = this.byText.get(key);
    if (known) known.count++;
    else this.byText.set(key, { kind, text, count: 1 });
    this.timeline.note(`VIOLATION ${kind}: ${text}`);
  }

  get list() {
    return [...this.byText.values()];
  }

  get empty() {
    return this.byText.size === 0;
  }
}
