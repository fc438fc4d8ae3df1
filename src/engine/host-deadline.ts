import { TransportError } from '../transport/errors.ts';
import type { EngineHost } from './host-run.ts';
import type { RpcSession } from '../contracts/session.ts';

/** The host's deadline passed: not a glitch a connect retry could pass (retry.ts). */
export class HostDeadlineError extends TransportError {}

/** A host's deadline when neither the command line, the inventory nor the playbook sets one. */
export const DEFAULT_HOST_DEADLINE_MS = 60 * 60_000;

/**
 * One deadline over everything a host does with its device, from the first connect
 * attempt to the last reply. The RPC idle timer and deadline bound one RPC each; a host
 * running many, or retrying its connect, is bounded here. When it passes, the sessions
 * are destroyed and whatever was waiting on the device fails with a timeout that names
 * the deadline; the pipeline turns that into the host's failure as it does any other.
 */
export class HostDeadline {
  private expired: HostDeadlineError | undefined;
  private readonly waiting = new Set<(err: TransportError) => void>();
  private readonly sessions = new Set<RpcSession>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly host: string,
    readonly ms: number,
  ) {
    this.timer = setTimeout(() => this.expire(), ms);
  }

  /** The host with its connect, and the sessions it opens, held to the deadline. */
  bound(host: EngineHost): EngineHost {
    return { ...host, connect: () => this.connect(() => host.connect()) };
  }

  /** Ends the timer once the host is done. */
  dispose(): void {
    clearTimeout(this.timer);
  }

  private async connect(connect: () => Promise<RpcSession>): Promise<RpcSession> {
    const opening = connect();
    // A session that opens after the deadline is nobody's: end it.
    opening.then((s) => this.expired && destroy(s), () => undefined);
    const session = await this.race(opening);
    this.sessions.add(session);
    return {
      rpc: (body, options) => this.race(session.rpc(body, options)),
      close: () => (this.expired ? Promise.resolve(destroy(session)) : this.race(session.close())),
      destroy: () => destroy(session),
    };
  }

  private race<T>(work: Promise<T>): Promise<T> {
    if (this.expired) {
      work.catch(() => undefined);
      return Promise.reject(this.expired);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      work.then(
        (v) => (this.waiting.delete(reject), resolve(v)),
        (e: unknown) => (this.waiting.delete(reject), reject(e)),
      );
    });
  }

  private expire(): void {
    const s = this.ms / 1000;
    this.expired = new HostDeadlineError(this.host, 'timeout', `the host deadline of ${s} s passed (--host-deadline, runbook_host_deadline)`);
    // The waiters hear of the deadline first, before destroying the sessions rejects them with 'closed'.
    for (const reject of this.waiting) reject(this.expired);
    this.waiting.clear();
    for (const session of this.sessions) destroy(session);
  }
}

function destroy(session: RpcSession): void {
  if (session.destroy) session.destroy();
  else session.close().catch(() => undefined);
}
