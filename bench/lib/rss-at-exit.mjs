// Preloaded into a process the bench does not write (`runbook apply`) with
// `node --import ./bench/lib/rss-at-exit.mjs`: at exit it writes the process's peak RSS
// (VmHWM, and getrusage's maxRSS) and its CPU time as JSON to $BENCH_RSS_FILE. Plain JavaScript so it
// loads before tsx is registered. See probe.ts for why VmHWM is the figure used.
import { readFileSync, writeFileSync } from 'node:fs';

// With --expose-gc and $BENCH_LIVE_HEAP_MS, a full collection every so often records the
// most heap ever live: what the process holds, whatever the collector's pace. It slows
// the process, so the bench does it in a run it does not time.
let liveHeapPeakBytes;
const every = Number(process.env.BENCH_LIVE_HEAP_MS);
if (every > 0 && typeof globalThis.gc === 'function') {
  liveHeapPeakBytes = 0;
  setInterval(() => {
    globalThis.gc();
    liveHeapPeakBytes = Math.max(liveHeapPeakBytes, process.memoryUsage().heapUsed);
  }, every).unref();
}

process.on('exit', () => {
  const out = process.env.BENCH_RSS_FILE;
  if (!out) return;
  let peakRssBytes;
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) peakRssBytes = Number(m[1]) * 1024;
  } catch {
    // No /proc: maxRSS alone.
  }
  // With --expose-gc, the heap a full collection leaves: what the run still holds at its end.
  let heapAfterGcBytes;
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    heapAfterGcBytes = process.memoryUsage().heapUsed;
  }
  const ru = process.resourceUsage();
  const cpuMs = (ru.userCPUTime + ru.systemCPUTime) / 1000;
  writeFileSync(out, JSON.stringify({ peakRssBytes, maxRssBytes: ru.maxRSS * 1024, cpuMs, heapAfterGcBytes, liveHeapPeakBytes }));
});
