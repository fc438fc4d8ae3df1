/**
 * Who a figure belongs to: the floor it is compared with, a foil (another library),
 * runbook, or runbook run another way (`variant`: other V8 flags), shown beside the
 * others and never judged against a target.
 */
export type Role = 'floor' | 'foil' | 'runbook' | 'variant';

/**
 * One figure of the bench, as plain data: printed as a table row and written to
 * bench/results/latest.json.
 */
export interface BenchRow {
  readonly section: 'parser' | 'reply' | 'fleet' | 'foil' | 'startup' | 'queue';
  /** Sessions in the reply (parser, reply), devices (fleet, foil), or rounds (startup). */
  readonly size: number;
  readonly subject: string;
  readonly role: Role;
  readonly ok: boolean;
  /** Why it has no figure ("fails (...)"). */
  readonly failure?: string;
  /** The measured work, timed inside the process doing it. */
  readonly ms?: number;
  /** Spawn to exit of the process, startup included (fleet). */
  readonly wallMs?: number;
  /** CPU time (user + system) of the measured process, all its threads (fleet, startup). */
  readonly cpuMs?: number;
  readonly bytes?: number;
  /** Decimal megabytes (10^6 bytes) per second. */
  readonly mbps?: number;
  /** Time over the floor's time (1.0 is the floor itself). */
  readonly ratio?: number;
  /** A second ratio where a row has two floors (reply: the SSH channel floor; foil: memory over runbook's). */
  readonly ratio2?: number;
  readonly peakRssBytes?: number;
  /** Heap still in use at exit after a full GC: a leak would show here. */
  readonly retainedHeapBytes?: number;
  /** The most heap ever live (full GC every second, in a run not timed): what the process really holds. */
  readonly liveHeapPeakBytes?: number;
  /** What the subject counted (sessions, '<', hosts). */
  readonly items?: number;
  readonly note?: string;
  /** A figure taken several times (startup: one per round; parser: the floor before and after): how far apart. */
  /** Queue section: what the workers and Redis spent beside the coordinator (the row's process). */
  readonly queue?: QueueFigures;
  readonly spread?: { readonly minMs: number; readonly maxMs: number; readonly firstHalfMs?: number; readonly secondHalfMs?: number };
}

/** The parts of a run through Redis that are not the coordinator's process. */
export interface QueueFigures {
  readonly workers?: number;
  /** CPU time (user + system) of all worker processes together. */
  readonly workerCpuMs?: number;
  /** The largest worker process's peak RSS. */
  readonly workerPeakRssBytes?: number;
  /** redis-server's CPU time (INFO cpu) over the run. */
  readonly redisCpuMs?: number;
  /** INFO memory used_memory before and after the run (or while the jobs waited). */
  readonly redisUsedBytesBefore?: number;
  readonly redisUsedBytesAfter?: number;
  /** MEMORY USAGE of the queue's event stream after the run: bounded by BullMQ's trimming (about 10,000 events), not per job. */
  readonly eventStreamBytes?: number;
  readonly eventStreamEntries?: number;
  /** MEMORY USAGE of one waiting job's hash. */
  readonly oneJobBytes?: number;
  /** The workers' CPU time spent starting (before they served the queue), not in workerCpuMs. */
  readonly workerStartCpuMs?: number;
  /** Medians over the jobs the event stream still held at the end (bench/queue/event-times.ts). */
  readonly jobTimes?: JobTimes;
}

/** Where a job's time went, on Redis's clock (ms): enqueued → taken → result returned → result read. */
export interface JobTimes {
  readonly jobs: number;
  readonly pickupMs?: number;
  readonly runMs?: number;
  readonly returnMs?: number;
  readonly totalMs?: number;
  readonly totalP90Ms?: number;
  /** First enqueue to last result read, over those jobs. */
  readonly spanMs?: number;
}
