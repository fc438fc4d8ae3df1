import { readdir, readFile } from 'node:fs/promises';

/**
 * The memory of every process carrying an environment marker, summed: a tool that forks
 * workers and detaches daemons (Ansible's `ansible-connection` leaves the process tree
 * by a double fork) is still found, since each inherits its parent's environment.
 * Linux only (/proc); elsewhere nothing is found.
 */
export class MarkedProcesses {
  /** Processes seen without the marker: their environment cannot gain it later. */
  private readonly others = new Set<number>();
  readonly seen = new Set<number>();
  /** The largest sums seen by `sample`, bytes. */
  peakPssBytes = 0;
  peakRssBytes = 0;
  peakProcesses = 0;

  /** `marker` is `NAME=value`, as it appears in /proc/PID/environ. */
  constructor(private readonly marker: string) {}

  /** The marked processes alive now. */
  async pids(): Promise<number[]> {
    const entries = await readdir('/proc').catch(() => [] as string[]);
    const out: number[] = [];
    for (const e of entries) {
      if (!/^\d+$/.test(e)) continue;
      const pid = Number(e);
      if (this.others.has(pid)) continue;
      const env = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
      if (env === undefined) continue;
      if (env.toString('latin1').split('\0').includes(this.marker)) out.push(pid);
      else this.others.add(pid);
    }
    return out;
  }

  /** Adds up the marked processes' memory now (PSS shares pages among the processes that map them). */
  async sample(): Promise<{ pssBytes: number; rssBytes: number; processes: number }> {
    let pssBytes = 0;
    let rssBytes = 0;
    let processes = 0;
    for (const pid of await this.pids()) {
      const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      this.seen.add(pid);
      processes++;
      pssBytes += kib(text, 'Pss');
      rssBytes += kib(text, 'Rss');
    }
    this.peakPssBytes = Math.max(this.peakPssBytes, pssBytes);
    this.peakRssBytes = Math.max(this.peakRssBytes, rssBytes);
    this.peakProcesses = Math.max(this.peakProcesses, processes);
    return { pssBytes, rssBytes, processes };
  }
}

function kib(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}
