import { readFileSync } from 'node:fs';

/**
 * What a measuring child process reports about itself. Peak RSS is the kernel's
 * high-water mark of this process's own memory (VmHWM in /proc/self/status).
 * `process.resourceUsage().maxRSS` is kept beside it but is not used for the tables:
 * Node spawns children with vfork, so a child's maxRSS starts at its parent's RSS.
 */
export interface PeakMemory {
  /** VmHWM, bytes; undefined where /proc is missing. */
  readonly peakRssBytes: number | undefined;
  /** getrusage(RUSAGE_SELF).ru_maxrss, bytes. */
  readonly maxRssBytes: number;
  /** CPU time (user + system) of the whole process, all threads: what a shared machine changes least. */
  readonly cpuMs: number;
}

export function peakMemory(): PeakMemory {
  const ru = process.resourceUsage();
  return { peakRssBytes: vmHwmBytes(), maxRssBytes: ru.maxRSS * 1024, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000 };
}

function vmHwmBytes(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The line a measuring child prints last; the orchestrator reads what follows the marker as JSON. */
export const RESULT_MARKER = 'BENCH-RESULT ';

export function reportResult(result: object): void {
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ ...result, ...peakMemory() })}\n`);
}
