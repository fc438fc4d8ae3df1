/**
 * Each job's path through the queue, read from BullMQ's event stream after a run: the
 * stream's entry ids are Redis's clock in ms, so for each job the times of `added` (the
 * coordinator enqueued it), `active` (a worker took it), `completed` (the worker returned
 * its result) and `removed` (the coordinator had read the result and removed the job)
 * are known to the millisecond, on one clock. BullMQ trims the stream to about 10,000
 * events, so a long run keeps only its last jobs: those are the ones measured.
 * `node --import tsx bench/queue/event-times.ts REDIS_URL STREAM_KEY`
 */
import { Redis } from 'ioredis';
import { reportResult } from '../lib/probe.ts';

const [url, stream] = process.argv.slice(2);
const redis = new Redis(url!, { maxRetriesPerRequest: 3 });
const seen = new Map<string, Partial<Record<'added' | 'active' | 'completed' | 'removed', number>>>();
let from = '-';
for (;;) {
  const batch = (await redis.xrange(stream!, from, '+', 'COUNT', 5000)) as [string, string[]][];
  const fresh = from === '-' ? batch : batch.slice(1);
  if (fresh.length === 0) break;
  for (const [id, fields] of fresh) {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    const event = f.event;
    if (event !== 'added' && event !== 'active' && event !== 'completed' && event !== 'removed') continue;
    const job = seen.get(f.jobId!) ?? {};
    job[event] ??= Number(id.split('-')[0]);
    seen.set(f.jobId!, job);
  }
  from = fresh.at(-1)![0];
}
redis.disconnect();

const whole = [...seen.values()].filter((j) => j.added !== undefined && j.active !== undefined && j.completed !== undefined && j.removed !== undefined) as Required<NonNullable<ReturnType<typeof seen.get>>>[];
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
const spanMs = whole.length > 1 ? Math.max(...whole.map((j) => j.removed)) - Math.min(...whole.map((j) => j.added)) : undefined;
reportResult({
  jobs: whole.length,
  /** Enqueued → taken by a worker. */
  pickupMs: median(whole.map((j) => j.active - j.added)),
  /** Taken → result returned: the job function and its progress writes. */
  runMs: median(whole.map((j) => j.completed - j.active)),
  /** Result returned → read and removed by the coordinator. */
  returnMs: median(whole.map((j) => j.removed - j.completed)),
  /** Enqueued → result read: what the coordinator waits per host. */
  totalMs: median(whole.map((j) => j.removed - j.added)),
  totalP90Ms: p90(whole.map((j) => j.removed - j.added)),
  spanMs,
});
