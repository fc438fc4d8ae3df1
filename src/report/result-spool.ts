import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostResult, HostResultStore, HostResults } from '../contracts/results.ts';

export interface ResultSpoolOptions {
  /** Where the spool's folder is made (default the OS temp dir, i.e. $TMPDIR). */
  readonly parent?: string;
  /** Told once, when the disk refuses the spool and results are kept in memory instead. */
  readonly warn?: (message: string) => void;
  /** Writes bytes at a position, as fs.writeSync; tests pass one that fails. */
  readonly writeAt?: (fd: number, buffer: Buffer, offset: number, length: number, position: number) => number;
}

/**
 * Each host's whole result, kept on disk as it finishes, so a run holds in memory only
 * where each one is (two numbers a host): the memory of a 20,000-host rollout does not
 * grow with its hosts' evidence, plans and logs. The outputs (report, recap, plan) read
 * the results back one at a time, in the hosts' order, with for...of.
 *
 * The file is private to this process (0600, in its own folder under the OS temp dir)
 * and removed by close(), or at exit when the run is stopped at once. It holds what the
 * JSON report holds, no more: secrets are never in a HostResult.
 *
 * A disk that refuses the spool (a temp dir that cannot be written, ENOSPC) never costs a
 * result or stops the run: from then on results are kept in memory, as before there was
 * a spool, and `warn` says so once.
 */
export class ResultSpool implements HostResultStore {
  private dir: string | undefined;
  private fd: number | undefined;
  /** False once the disk refused a write: later results are held in memory. */
  private writable = true;
  private closed = false;
  private end = 0;
  /** Byte offset and length of each host's line, by host index; -1: not on disk. */
  private readonly at: Float64Array;
  private readonly size: Float64Array;
  /** Results the disk refused, by host index. */
  private readonly held = new Map<number, HostResult>();
  private count = 0;
  private readonly warn: (message: string) => void;
  private readonly writeAt: NonNullable<ResultSpoolOptions['writeAt']>;
  private readonly onExit = () => this.close();

  constructor(hosts: number, opts: ResultSpoolOptions = {}) {
    this.at = new Float64Array(hosts).fill(-1);
    this.size = new Float64Array(hosts);
    this.warn = opts.warn ?? (() => undefined);
    this.writeAt = opts.writeAt ?? writeSync;
    try {
      this.dir = mkdtempSync(join(opts.parent ?? tmpdir(), 'runbook-results-'));
      this.fd = openSync(join(this.dir, 'hosts.jsonl'), 'w+', 0o600);
    } catch (err) {
      this.refused(err as Error);
    }
    process.on('exit', this.onExit);
  }

  put(index: number, result: HostResult): void {
    if (this.closed) throw new Error('result spool: used after close');
    if (this.has(index)) throw new RangeError(`host ${index} (${result.host}) already has a result`);
    this.count++;
    if (this.fd === undefined || !this.writable) return void this.held.set(index, result);
    const line = Buffer.from(JSON.stringify(result) + '\n');
    try {
      let written = 0;
      while (written < line.length) written += this.writeAt(this.fd, line, written, line.length - written, this.end + written);
    } catch (err) {
      this.held.set(index, result);
      this.refused(err as Error);
      return;
    }
    this.at[index] = this.end;
    this.size[index] = line.length;
    this.end += line.length;
  }

  has(index: number): boolean {
    return this.at[index] !== -1 || this.held.has(index);
  }

  /** The result of host `index`, read back from disk; undefined when that host has none. */
  get(index: number): HostResult | undefined {
    if (this.closed) throw new Error('result spool: used after close');
    const held = this.held.get(index);
    if (held) return held;
    const at = this.at[index]!;
    if (at === -1 || this.fd === undefined) return undefined;
    const buf = Buffer.allocUnsafe(this.size[index]!);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(this.fd, buf, read, buf.length - read, at + read);
      if (n === 0) throw new Error(`result spool: host ${index}'s result is cut short`);
      read += n;
    }
    return JSON.parse(buf.toString('utf8')) as HostResult;
  }

  /** The finished hosts' results in index order, each read from disk when reached. */
  hosts(): HostResults {
    return { length: this.count, [Symbol.iterator]: () => this.each() };
  }

  /** Removes the file. The results read after this are gone: call it once the outputs are written. */
  close(): void {
    process.off('exit', this.onExit);
    if (this.closed) return;
    this.closed = true;
    this.held.clear();
    this.dropFile();
  }

  private *each(): Generator<HostResult> {
    for (let i = 0; i < this.at.length; i++) {
      const r = this.get(i);
      if (r) yield r;
    }
  }

  /** The disk refused the spool: what it holds stays readable, what comes next is kept in memory. Said once. */
  private refused(err: Error): void {
    this.writable = false;
    if (this.fd === undefined) this.dropFile();
    this.warn(`the spool of host results under ${this.dir ?? tmpdir()} cannot be written (${(err as NodeJS.ErrnoException).code ?? err.message}): the rest of the results are kept in memory`);
  }

  private dropFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
  }
}
