// CPU time from /proc: of one process, of every process (to name what else ran during a
// measurement), and of the whole machine. Linux only, like the benchmarks that read it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICK_US = 1e6 / clockTicksPerSecond();

function clockTicksPerSecond() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process (all its threads), in µs. */
export function processCpuUs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_US;
}

/** CPU time of every process on the machine, by pid, to name what else was running. */
export function allProcessesCpuUs() {
  const byPid = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      byPid.set(Number(entry), processCpuUs(entry));
    } catch {
      // Gone since the directory was listed.
    }
  }
  return byPid;
}

function commandLine(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    // Kernel threads have no command line, only a name.
    return (line || `[${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`).slice(0, 80);
  } catch {
    return `pid ${pid} (gone)`;
  }
}

/** The whole machine's busy and total CPU time (all cores), in µs. */
export function machineCpuUs() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busyUs: busy * CLOCK_TICK_US, totalUs: (busy + idle + iowait) * CLOCK_TICK_US };
}

/**
 * The three busiest processes between two `allProcessesCpuUs()` readings whose pid is not in
 * `ours` (nor this process), with the cores each took over `seconds`.
 */
export function busiestOthers(start, end, ours, seconds) {
  const mine = new Set([process.pid, ...ours]);
  return (
    [...end]
      .filter(([pid]) => !mine.has(pid))
      // A process started during the window spent all its time in it; one that also ended in it
      // is not seen at all.
      .map(([pid, us]) => ({ pid, cores: (us - (start.get(pid) ?? 0)) / 1e6 / seconds }))
      .sort((a, b) => b.cores - a.cores)
      .slice(0, 3)
      .filter(({ cores }) => cores >= 0.01)
      .map(({ pid, cores }) => ({ command: commandLine(pid), cores }))
  );
}
