import type { FrameTimer, LiveStream } from '../../../src/cli/render/summary.ts';

/**
 * A terminal that understands what the summary renderer writes: lines, and "erase the
 * line above" (cursor up one line, clear it). `screen` is what a person would see.
 */
export class FakeTerminal implements LiveStream {
  readonly writes: string[] = [];
  readonly screen: string[] = [];

  constructor(readonly columns = 100) {}

  write(text: string): boolean {
    this.writes.push(text);
    let rest = text;
    const erase = '\x1b[1A\x1b[2K';
    while (rest.startsWith(erase)) {
      this.screen.pop();
      rest = rest.slice(erase.length);
    }
    if (rest.includes('\x1b[')) throw new Error(`unexpected escape sequence in ${JSON.stringify(rest)}`);
    if (rest !== '' && !rest.endsWith('\n')) throw new Error(`a frame must end its last line: ${JSON.stringify(rest)}`);
    if (rest !== '') this.screen.push(...rest.slice(0, -1).split('\n'));
    return true;
  }
}

/** A clock that moves only when told, running the timers that fall due. */
export class FakeTimer implements FrameTimer {
  private t = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves the clock to `to`, running every timer due by then in order. */
  advanceTo(to: number): void {
    for (;;) {
      const due = [...this.timers.entries()].filter(([, x]) => x.at <= to).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = to;
  }
}
