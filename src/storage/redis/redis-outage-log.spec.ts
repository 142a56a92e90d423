import { jest } from '@jest/globals';
import { createLogger } from '../../logging/logger.js';
import { OUTAGE_LOG_INTERVAL_MS, RedisOutageLog } from './redis-outage-log.js';

interface Line {
  time: number;
  msg: string;
  failing?: Record<string, string>;
}

const refused = new Error('connect ECONNREFUSED 127.0.0.1:6379');

describe('RedisOutageLog', () => {
  let lines: Line[];
  let log: RedisOutageLog;
  /** Redis's clients retry about every second; each failed attempt is reported. */
  const retryFor = (ms: number, ...sources: string[]) => {
    for (let elapsed = 0; elapsed < ms; elapsed += 1000) {
      for (const source of sources) log.failing(source, refused);
      jest.advanceTimersByTime(1000);
    }
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.now() });
    lines = [];
    const logger = createLogger('info', {
      write: (line: string) => void lines.push(JSON.parse(line) as Line),
    });
    log = new RedisOutageLog(logger);
  });
  afterEach(() => jest.useRealTimers());

  it('writes one line when every client loses Redis at once, and names them all 10 s later', () => {
    const sources = ['commands', 'adapter', 'adapter copy 1', 'adapter copy 2', 'presence'];
    for (const source of sources) log.failing(source, refused);
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'redis is failing', failing: { commands: refused.message } }),
    ]);

    retryFor(OUTAGE_LOG_INTERVAL_MS, ...sources);

    expect(lines).toHaveLength(2);
    expect(lines[1].failing).toEqual(
      Object.fromEntries(sources.map((source) => [source, refused.message])),
    );
  });

  it('writes one more line every 10 s while Redis stays away, however often the clients retry', () => {
    retryFor(35_000, 'commands', 'adapter');

    expect(lines.map((line) => line.msg)).toEqual(Array(4).fill('redis is failing'));
    expect(gapsBetween(lines)).toEqual([10_000, 10_000, 10_000]);
  });

  it('says at once that Redis works again when its last line is 10 s old', () => {
    log.failing('presence', refused);
    jest.advanceTimersByTime(15_000);
    log.working('presence');

    expect(lines.map((line) => line.msg)).toEqual(['redis is failing', 'redis works again']);
    expect(gapsBetween(lines)).toEqual([15_000]);
  });

  it('says that Redis works again only 10 s after the last line, and only once every client does', () => {
    log.failing('commands', refused);
    log.failing('adapter', refused);
    jest.advanceTimersByTime(3000);
    log.working('commands');
    log.working('adapter');
    expect(lines).toHaveLength(1);

    jest.advanceTimersByTime(OUTAGE_LOG_INTERVAL_MS);

    expect(lines.map((line) => line.msg)).toEqual(['redis is failing', 'redis works again']);
    expect(gapsBetween(lines)).toEqual([10_000]);
  });

  it('writes at most one line every 10 s while Redis comes and goes, the last one telling how it is now', () => {
    for (let flap = 0; flap < 40; flap += 1) {
      log.failing('commands', refused);
      jest.advanceTimersByTime(700);
      log.working('commands');
      jest.advanceTimersByTime(300);
    }
    jest.advanceTimersByTime(OUTAGE_LOG_INTERVAL_MS);

    expect(gapsBetween(lines).every((gap) => gap >= OUTAGE_LOG_INTERVAL_MS)).toBe(true);
    expect(lines.at(-1)?.msg).toBe('redis works again');
  });

  it('writes nothing while Redis works', () => {
    log.working('commands');
    log.working('presence');
    jest.advanceTimersByTime(60_000);

    expect(lines).toEqual([]);
  });
});

function gapsBetween(lines: Line[]): number[] {
  return lines.slice(1).map((line, index) => line.time - lines[index].time);
}
