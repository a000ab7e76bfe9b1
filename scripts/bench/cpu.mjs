/**
 * CPU time of the processes of a run over a measured window: the service (with `--workers N`, its
 * primary and the worker processes together), its redis-server and the ceiling server from Linux
 * /proc/<pid>/stat, the benchmark itself (the client) from process.cpuUsage(), and the whole
 * machine from /proc/stat, so that what other work took is seen too. A process that cannot be
 * read (not Linux, no such pid) is left out: its figures are absent, never an error.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** @typedef {Record<string, number>} CpuTimes microseconds of CPU (user + system) per process name */

/**
 * @typedef {object} CpuUsage What the processes used over one window.
 * @property {number} seconds wall-clock length of the window
 * @property {CpuTimes} us
 * @property {number} [machineUs] busy CPU of the whole machine, all cores (Linux only)
 */

/**
 * @typedef {object} CpuMeter Measures from start() to stop() of the returned window.
 * @property {() => { stop: () => CpuUsage }} start
 */

/**
 * Per request and per message figures of a row, flat so the JSON reads well: for each process
 * name (service, redis, ceiling, client) and for "total" (their sum), `<name>Us` (the window's
 * total), `<name>UsPerReq`, `<name>UsPerMsg` (only where messages are not requests) and
 * `<name>PctOfCore`; `machinePctOfCore` and `otherPctOfCore` (the machine less these processes,
 * on Linux); and `seconds`, `cores`.
 * @typedef {Record<string, number>} CpuFigures
 */

/** @type {number | undefined} */
let ticksPerSecond;

/** Clock ticks per second of /proc's CPU times: getconf CLK_TCK, asked once; 100 when it cannot say. */
export function clockTicks() {
  if (ticksPerSecond === undefined) {
    ticksPerSecond = 100;
    try {
      const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const n = Number(out.trim());
      if (Number.isInteger(n) && n > 0) ticksPerSecond = n;
    } catch {
      // no getconf: 100 is what Linux uses everywhere in practice
    }
  }
  return ticksPerSecond;
}

/**
 * CPU time (user + system, all its threads) a process has used so far, in µs; undefined when it
 * cannot be read.
 * @param {number} pid
 */
export function processCpuUs(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2, the command name in parentheses, may hold spaces and ')': split after the last ')'.
  // The rest starts at field 3, so utime (field 14) and stime (field 15) are at 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1e6) / clockTicks() : undefined;
}

/**
 * The node processes whose parent is `pid`: the workers of a redsqs started with `--workers N`
 * (and not its redis-server, measured on its own). Found by a scan of /proc, since
 * /proc/<pid>/task/<tid>/children needs a kernel option that is often off; empty when /proc
 * cannot be read.
 * @param {number} pid
 * @returns {number[]}
 */
export function nodeChildren(pid) {
  /** @type {number[]} */
  const found = [];
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name: state (field 3), then the parent's pid (field 4).
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ', 2)[1]);
      if (ppid !== pid) continue;
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0', 1)[0] ?? '';
      if (/(^|\/)node[^/]*$/.test(argv0) || argv0 === process.execPath) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/**
 * Busy CPU time of the whole machine so far, all cores (user, nice, system, irq, softirq; not
 * idle, iowait or steal), in µs; undefined when /proc/stat cannot be read.
 */
export function machineBusyUs() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').slice(0, 256).split('\n', 1)[0] ?? '';
    if (!line.startsWith('cpu ')) return undefined;
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = line.slice(4).trim().split(/\s+/).map(Number);
    const ticks = user + nice + system + irq + softirq;
    return Number.isFinite(ticks) ? (ticks * 1e6) / clockTicks() : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time of the benchmark's own process so far (all its threads: the client, GC), in µs. */
function ownCpuUs() {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * A meter of the given processes, by name, and of this process as "client". Processes that
 * cannot be read now are dropped here, so that nothing slow (getconf) happens inside a window.
 * The names in `withNodeChildren` count their node child processes too (a service's workers),
 * as they are when a window starts; a name whose processes are not all there at its end has no
 * figure for that window.
 * @param {Record<string, number | undefined>} pids
 * @param {{ withNodeChildren?: string[] }} [options]
 * @returns {CpuMeter}
 */
export function cpuMeter(pids, options = {}) {
  const watched = /** @type {[string, number][]} */ (
    Object.entries(pids).filter(([, pid]) => pid !== undefined && processCpuUs(pid) !== undefined)
  );
  const trees = new Set(options.withNodeChildren ?? []);
  /** @param {[string, number[]][]} groups */
  const read = (groups) => {
    /** @type {CpuTimes} */
    const times = {};
    for (const [name, group] of groups) {
      let sum = 0;
      for (const pid of group) {
        const us = processCpuUs(pid);
        if (us === undefined) {
          sum = Number.NaN;
          break;
        }
        sum += us;
      }
      if (!Number.isNaN(sum)) times[name] = sum;
    }
    times.client = ownCpuUs();
    return times;
  };
  return {
    start() {
      /** @type {[string, number[]][]} */
      const groups = watched.map(([name, pid]) => [name, trees.has(name) ? [pid, ...nodeChildren(pid)] : [pid]]);
      const machineBefore = machineBusyUs();
      const before = read(groups);
      const startedAt = performance.now();
      return {
        stop() {
          const seconds = (performance.now() - startedAt) / 1000;
          const after = read(groups);
          const machineAfter = machineBusyUs();
          /** @type {CpuTimes} */
          const us = {};
          // A process gone during the window has no figure rather than a wrong one.
          for (const [name, value] of Object.entries(after)) {
            const was = before[name];
            if (was !== undefined) us[name] = value - was;
          }
          /** @type {CpuUsage} */
          const usage = { seconds, us };
          if (machineBefore !== undefined && machineAfter !== undefined) usage.machineUs = machineAfter - machineBefore;
          return usage;
        },
      };
    },
  };
}

/**
 * @param {number} us
 * @param {number} seconds
 */
const pctOfCore = (us, seconds) => (seconds > 0 ? (100 * us) / (seconds * 1e6) : Number.NaN);

/**
 * The figures of a window in which `requests` requests carried `messages` messages.
 * @param {CpuUsage} usage
 * @param {number} requests
 * @param {number} messages
 * @returns {CpuFigures}
 */
export function cpuFigures(usage, requests, messages) {
  /** @type {CpuFigures} */
  const figures = { seconds: usage.seconds, cores: os.cpus().length };
  const perMessage = Number.isFinite(messages) && messages > 0 && messages !== requests;
  const total = Object.values(usage.us).reduce((a, b) => a + b, 0);
  /** @type {[string, number][]} */
  const rows = [...Object.entries(usage.us), ['total', total]];
  for (const [name, us] of rows) {
    figures[`${name}Us`] = us;
    figures[`${name}UsPerReq`] = requests > 0 ? us / requests : Number.NaN;
    if (perMessage) figures[`${name}UsPerMsg`] = us / messages;
    figures[`${name}PctOfCore`] = pctOfCore(us, usage.seconds);
  }
  if (usage.machineUs !== undefined) {
    figures.machinePctOfCore = pctOfCore(usage.machineUs, usage.seconds);
    // What other work took meanwhile (another benchmark, a build): the share the run did not get.
    // The two sources count ticks differently, so a figure near zero may come out slightly negative.
    figures.otherPctOfCore = pctOfCore(usage.machineUs - total, usage.seconds);
  }
  return figures;
}
