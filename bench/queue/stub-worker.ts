/**
 * A worker whose device work is nil: runbook's queue worker (src/queue/worker.ts: the
 * delivery mark, job progress, the result as the return value) with a job function that
 * contacts no device. For each step of the playbook it sends the events a host passing
 * that step sends (step-start and a log line, after host-start: about as many job
 * progress writes as a real ah-cleanup host's) and returns an `ok` result. What a
 * coordinator then waits for is the queue alone.
 * `node --import tsx bench/queue/stub-worker.ts REDIS_URL CONCURRENCY NAME`
 */
import type { HostResult } from '../../src/contracts/results.ts';
import { parseRedisUrl } from '../../src/queue/redis-url.ts';
import { QueueWorkers, type RunQueuedJob } from '../../src/queue/worker.ts';

const [url, concurrency, name] = process.argv.slice(2);

const nothingToDo: RunQueuedJob = async (queued, io) => {
  const host = queued.job.host.name;
  const startedAt = new Date().toISOString();
  const playbook = await io.playbooks.load(queued.job.playbook);
  io.emit({ type: 'host-start', host });
  for (const step of playbook.steps) {
    io.emit({ type: 'step-start', host, phase: step.kind, step: step.name });
    io.emit({ type: 'log', host, entry: { level: 1, text: `${step.name}: nothing to do (bench stub)`, step: step.name } });
  }
  const result: HostResult = { host, status: 'ok', vars: queued.job.host.vars, dryRun: queued.job.dryRun, evidence: {}, plan: [], actions: [], steps: [], log: [], startedAt, ms: 0 };
  return result;
};

const workers = await QueueWorkers.start({
  redis: parseRedisUrl(url!),
  queues: ['default'],
  concurrency: Number(concurrency),
  stallMs: 30_000,
  name: name ?? `stub:${process.pid}`,
  run: nothingToDo,
  log: (line) => process.stderr.write(line + '\n'),
});
process.stdout.write(`bench stub worker: serving queue default, ${concurrency} at a time\n`);
process.once('SIGTERM', () => void workers.close().then(() => process.exit(0)));
