import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostResult, HostResultStore, HostResults } from '../contracts/results.ts';

/**
 * Each host's whole result, kept on disk as it finishes, so a run holds in memory only
 * where each one is (two numbers a host): the memory of a 20,000-host rollout does not
 * grow with its hosts' evidence, plans and logs. The outputs (report, recap, plan) read
 * the results back one at a time, in the hosts' order, with for...of.
 *
 * The file is private to this process (0600, in its own folder under the OS temp dir)
 * and removed by close(), or at exit when the run is stopped at once. It holds what the
 * JSON report holds, no more: secrets are never in a HostResult.
 */
export class ResultSpool implements HostResultStore {
  private readonly dir: string;
  private fd: number | undefined;
  private end = 0;
  /** Byte offset and length of each host's line, by host index; -1: not finished. */
  private readonly at: Float64Array;
  private readonly size: Float64Array;
  private count = 0;
  private readonly onExit = () => this.close();

  constructor(hosts: number, parent: string = tmpdir()) {
    this.dir = mkdtempSync(join(parent, 'runbook-results-'));
    this.fd = openSync(join(this.dir, 'hosts.jsonl'), 'w+', 0o600);
    this.at = new Float64Array(hosts).fill(-1);
    this.size = new Float64Array(hosts);
    process.on('exit', this.onExit);
  }

  put(index: number, result: HostResult): void {
    if (this.at[index] !== -1) throw new RangeError(`host ${index} (${result.host}) already has a result`);
    const line = Buffer.from(JSON.stringify(result) + '\n');
    let written = 0;
    while (written < line.length) written += writeSync(this.open(), line, written, line.length - written, this.end + written);
    this.at[index] = this.end;
    this.size[index] = line.length;
    this.end += line.length;
    this.count++;
  }

  has(index: number): boolean {
    return this.at[index] !== -1;
  }

  /** The result of host `index`, read back from disk; undefined when that host has none. */
  get(index: number): HostResult | undefined {
    const at = this.at[index]!;
    if (at === -1) return undefined;
    const buf = Buffer.allocUnsafe(this.size[index]!);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(this.open(), buf, read, buf.length - read, at + read);
      if (n === 0) throw new Error(`result spool: host ${index}'s result is cut short`);
      read += n;
    }
    return JSON.parse(buf.toString('utf8')) as HostResult;
  }

  /** The finished hosts' results in index order, each read from disk when reached. */
  hosts(): HostResults {
    return { length: this.count, [Symbol.iterator]: () => this.each() };
  }

  private *each(): Generator<HostResult> {
    for (let i = 0; i < this.at.length; i++) {
      const r = this.get(i);
      if (r) yield r;
    }
  }

  /** Removes the file. The results read after this are gone: call it once the outputs are written. */
  close(): void {
    process.off('exit', this.onExit);
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private open(): number {
    if (this.fd === undefined) throw new Error('result spool: used after close');
    return this.fd;
  }
}
