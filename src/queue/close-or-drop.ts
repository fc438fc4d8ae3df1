/**
 * Closing BullMQ's queues, event readers and workers when Redis may be down. Their close()
 * then never ends: its QUIT waits behind the commands queued for a connection that keeps
 * reconnecting, and that connection keeps the process alive after its work is done. So a
 * close gets a grace period, and then its connections are dropped.
 */
import type { Queue, QueueEvents, Worker } from 'bullmq';

/** How long a close may take before its connections are dropped. */
export const CLOSE_GRACE_MS = 5000;

type Closable = Queue | QueueEvents | Worker;

/** Waits up to CLOSE_GRACE_MS for `closing`, then (at once with `now`) drops the connections of `all`. */
export async function closeOrDrop(closing: Promise<unknown>, all: readonly Closable[], now = false): Promise<void> {
  const settled = closing.then(
    () => true,
    () => true,
  );
  if (!now && (await within(settled, CLOSE_GRACE_MS))) return;
  for (const c of all) {
    for (const client of [c.backend.client, c.backend.blockingClient]) void client?.then((r) => r.disconnect(), () => undefined);
  }
}

async function within(p: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
