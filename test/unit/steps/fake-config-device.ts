import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditedRpc, ChangeAudit, RpcEnd } from '../../../src/contracts/audit.ts';
import type { RpcOptions, RpcReply, RpcSession } from '../../../src/contracts/session.ts';
import type { ConfigRpcError } from '../../../src/lab/config/errors.ts';
import { renderCommitSuccess, renderConfigRpcError, renderConfigurationOutput, renderLoadResults } from '../../../src/lab/render/config-replies.ts';
import { RpcError, TransportError, type TransportPhase } from '../../../src/transport/errors.ts';
import { ReplyReader } from '../../../src/transport/reply-reader.ts';
import { JUNOS_FIXTURES } from '../../helpers/fixtures.ts';

export const HOST = 'srx1';

/** The operations of a configuration change, as the fake device tells them apart. */
export type ConfigRpc = 'lock' | 'load' | 'compare' | 'commit check' | 'commit confirmed' | 'commit' | 'commit (rollback)' | 'rollback 0' | 'rollback 1' | 'unlock';

/** How the device answers one RPC: a whole `<rpc-reply>` document, or the session breaking in that phase. */
export type Answer = { readonly xml: string } | { readonly lost: TransportPhase };

/** A reply document around Junos's inner elements, with the namespaces a Junos 15.1X49 reply carries. */
export function reply(inner: string): Answer {
  return { xml: `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://xml.juniper.net/junos/15.1X49/junos">\n${inner}</rpc-reply>\n` };
}

/** A captured reply from test/fixtures/junos. */
export function captured(name: string): Answer {
  return { xml: readFileSync(join(JUNOS_FIXTURES, name), 'utf8') };
}

export function rpcError(e: ConfigRpcError): Answer {
  return reply(renderConfigRpcError(e));
}

export const DIFF = '[edit security flow]\n-  tcp-session fin-invalidate-session;\n+  aging early-ageout 20;';

/** What a lab SRX answers when everything goes through (the lab's renderers follow the captures). */
const ANSWERS: Readonly<Record<ConfigRpc, Answer>> = {
  lock: reply('<ok/>\n'),
  load: reply(renderLoadResults([], 0)),
  compare: reply(renderConfigurationOutput(`\n${DIFF}\n`)),
  'commit check': reply(renderCommitSuccess({ cluster: false }, true)),
  'commit confirmed': reply(renderCommitSuccess({ cluster: false }, false)),
  commit: reply(renderCommitSuccess({ cluster: false }, false)),
  'commit (rollback)': reply(renderCommitSuccess({ cluster: false }, false)),
  'rollback 0': reply(renderLoadResults([], 0)),
  'rollback 1': reply(renderLoadResults([], 0)),
  unlock: reply('<ok/>\n'),
};

/**
 * A device behind the session port: answers each RPC as a lab SRX would, unless told
 * otherwise, reads the reply as the transport does (rpc-errors of severity error throw
 * RpcError, warnings are kept), and records every RPC the change tried to send. Once
 * the session is lost, every further RPC fails as on a closed session.
 */
export class FakeConfigDevice implements RpcSession {
  readonly sent: ConfigRpc[] = [];
  readonly bodies: string[] = [];
  private lost = false;

  constructor(private readonly answers: Partial<Record<ConfigRpc, Answer>> = {}) {}

  async rpc(body: string, options?: RpcOptions): Promise<RpcReply> {
    const name = rpcOf(body);
    this.sent.push(name);
    this.bodies.push(body);
    if (this.lost) throw new TransportError(HOST, 'closed', 'the session is closed');
    const answer = this.answers[name] ?? ANSWERS[name];
    if ('lost' in answer) {
      this.lost = true;
      throw new TransportError(HOST, answer.lost, `simulated ${answer.lost} during ${name}`);
    }
    return read(body, answer.xml, options);
  }

  async close(): Promise<void> {}
}

/** What the transport makes of a reply: the handler fed, RpcError on an error-severity rpc-error. */
function read(body: string, xml: string, options?: RpcOptions): RpcReply {
  const rpc = /^<([\w-]+)/.exec(body)?.[1] ?? 'rpc';
  const reader = new ReplyReader('rpc-reply', options?.handler);
  reader.push(Buffer.from(xml));
  const outcome = reader.finish();
  if (outcome.errors.length > 0) throw new RpcError(HOST, rpc, outcome.errors, outcome.warnings);
  return { rpc, ok: outcome.ok, errors: [], warnings: outcome.warnings, bytes: outcome.bytes, ms: 0 };
}

function rpcOf(body: string): ConfigRpc {
  if (body.startsWith('<lock>')) return 'lock';
  if (body.startsWith('<unlock>')) return 'unlock';
  if (body.startsWith('<get-configuration')) return 'compare';
  if (body.startsWith('<load-configuration action="set"')) return 'load';
  const rollback = /^<load-configuration rollback="([01])"/.exec(body);
  if (rollback) return rollback[1] === '0' ? 'rollback 0' : 'rollback 1';
  if (body.includes('<check/>')) return 'commit check';
  if (body.includes('<confirmed/>')) return 'commit confirmed';
  return /rolled back: (verify|check) failed/.test(body) ? 'commit (rollback)' : 'commit';
}

/** How the fake audit log fails: intents it cannot write, or the outcome line after which it cannot write at all. */
export interface AuditFaults {
  readonly refuse?: (cli: string) => boolean;
  readonly breaksAtOutcomeOf?: string;
}

const EACCES = "EACCES: permission denied, open '/var/log/runbook/audit.jsonl'";

/**
 * The audit port, recording each intent (its CLI form) and each outcome. An intent it
 * refuses throws (the RPC must then not be sent); once broken, every line throws.
 */
export class FakeAudit implements ChangeAudit {
  readonly lines: string[] = [];
  private broken = false;

  constructor(private readonly faults: AuditFaults = {}) {}

  sending(rpc: AuditedRpc): (end: RpcEnd) => void {
    if (this.broken || this.faults.refuse?.(rpc.cli)) throw new Error(EACCES);
    this.lines.push(`intent ${rpc.cli}`);
    return (end) => {
      if (this.broken || this.faults.breaksAtOutcomeOf === rpc.cli) {
        this.broken = true;
        throw new Error('ENOSPC: no space left on device, write');
      }
      this.lines.push(`${end.outcome} ${rpc.cli}`);
    };
  }
}
