import type { EngineHost } from '../../../src/engine/host-run.ts';
import type { RunEvent } from '../../../src/engine/events.ts';
import type { RpcSession, RpcOptions, RpcReply } from '../../../src/contracts/session.ts';
import { parsePlaybook } from '../../../src/playbook/load.ts';
import type { Playbook } from '../../../src/playbook/types.ts';
import { RpcError, TransportError, type TransportPhase } from '../../../src/transport/errors.ts';
import { parseString } from '../../../src/xml/element-stream.ts';

/** One collect, so a host that connects and answers ends 'ok'. */
export const playbook: Playbook = parsePlaybook(
  `name: Read the software version
hosts: all
steps:
  - name: Software
    register: sw
    collect:
      rpc: get-software-information
      item: software-information
      fields:
        host: host-name
`,
  'test.yml',
);

export interface FakeSpec {
  /** Thrown by connect(), one per attempt and in order, before it succeeds. */
  readonly connectErrors?: readonly TransportPhase[];
  /** The device answers with an rpc-error: the host ends 'failed'. */
  readonly rpcError?: boolean;
}

/**
 * In-memory hosts, no network, and what the engine did with them: every connect call in
 * order, the most connects under way at once, the most hosts in flight at once (host-start
 * to host-done), and every event.
 */
export class FakeFleet {
  readonly connects: string[] = [];
  readonly events: RunEvent[] = [];
  maxConnecting = 0;
  maxInFlight = 0;
  private connecting = 0;
  private inFlight = 0;

  hosts(names: readonly string[], specs: Readonly<Record<string, FakeSpec>> = {}): EngineHost[] {
    return names.map((name) => this.host(name, specs[name] ?? {}));
  }

  readonly emit = (e: RunEvent): void => {
    this.events.push(e);
    if (e.type === 'host-start') this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    if (e.type === 'host-done') this.inFlight--;
  };

  /** The events of one type, narrowed. */
  of<T extends RunEvent['type']>(type: T): Extract<RunEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
  }

  /** Event types with the host or batch they concern, for asserting order. */
  trace(): string[] {
    return this.events.flatMap((e) => {
      if (e.type === 'batch-start') return [`batch ${e.index}`];
      if (e.type === 'host-start') return [`start ${e.host}`];
      if (e.type === 'host-done') return [`done ${e.result.host}`];
      if (e.type === 'run-stopped') return ['stopped'];
      return [];
    });
  }

  private host(name: string, spec: FakeSpec): EngineHost {
    const errors = [...(spec.connectErrors ?? [])];
    return {
      name,
      groups: [],
      vars: {},
      dryRun: true,
      connect: async (): Promise<RpcSession> => {
        this.connects.push(name);
        this.maxConnecting = Math.max(this.maxConnecting, ++this.connecting);
        try {
          await tick();
          const phase = errors.shift();
          if (phase) throw new TransportError(name, phase, `simulated ${phase} failure`);
          return session(name, spec);
        } finally {
          this.connecting--;
        }
      },
    };
  }
}

function session(name: string, spec: FakeSpec): RpcSession {
  return {
    rpc: async (body: string, options: RpcOptions = {}): Promise<RpcReply> => {
      await tick();
      const rpc = /<([\w-]+)\s*\/?>/.exec(body.replace(/^<rpc>/, ''))?.[1] ?? 'rpc';
      if (spec.rpcError) throw new RpcError(name, rpc, [{ severity: 'error', message: 'syntax error' }]);
      const xml = `<rpc-reply><software-information><host-name>${name}</host-name></software-information></rpc-reply>`;
      if (options.handler) parseString(options.handler, xml);
      return { rpc, ok: true, errors: [], warnings: [], bytes: xml.length, ms: 0 };
    },
    close: async () => undefined,
  };
}

/** Lets other hosts run between steps, as real I/O would. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}
