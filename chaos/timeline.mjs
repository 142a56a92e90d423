// The soak's clock and its log: every time is printed as seconds since the start of the run, and
// every notable event (a fault, a connection, a refusal) goes to `chaos.log` in the work directory;
// what a reader of the console needs goes there too.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export class Timeline {
  constructor(directory) {
    this.startedAt = Date.now();
    this.directory = directory;
    this.logPath = join(directory, 'chaos.log');
  }

  /** Milliseconds since the start of the run. */
  now() {
    return Date.now() - this.startedAt;
  }

  /** `t=12.3s` for a time from `now()`. */
  static stamp(ms) {
    return `t=${(ms / 1000).toFixed(1)}s`;
  }

  /** To the log only. */
  note(text) {
    appendFileSync(this.logPath, `${Timeline.stamp(this.now())} ${text}\n`);
  }

  /** To the log and the console. */
  say(text) {
    this.note(text);
    process.stdout.write(`${Timeline.stamp(this.now())} ${text}\n`);
  }
}
