import { readFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  readonly hostname: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly platform: string;
  readonly kernel: string;
  /** Soft limit on open files: a lab of N devices needs N listening sockets and more. */
  readonly openFilesLimit: number | undefined;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    hostname: hostname(),
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    kernel: release(),
    openFilesLimit: openFilesLimit(),
  };
}

/** The 1-minute load average: above the core count, other work shared the machine. */
export function load1(): number {
  return loadavg()[0]!;
}

function openFilesLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : undefined;
  } catch {
    return undefined;
  }
}
