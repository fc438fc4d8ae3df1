import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { cliForm, rpcSpec, wideEffect } from '../../junos/catalog.ts';
import { buildRpc, parseArgs, RpcBuildError, unnarrowedReason } from '../../junos/rpc.ts';
import { parseString } from '../../xml/element-stream.ts';
import { extractorFor } from '../../junos/index.ts';
import { describeRpcError, RpcError, TransportError } from '../../transport/errors.ts';
import type { ConnectOptions } from '../../transport/options.ts';
import { NetconfSession } from '../../transport/session.ts';
import { newRunId } from '../../contracts/run-ids.ts';
import { AuditLog } from '../../report/audit-log.ts';
import { failureOf } from '../../contracts/failure.ts';
import { endOf, type AuditedRpc } from '../../contracts/audit.ts';
import { checkOutputPaths } from '../output-paths.ts';
import { confirmOnTerminal } from '../confirm.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { addLimitOptions, limitsGiven, type LimitCliOptions } from '../limit-options.ts';
import { collect, positiveInt, port } from '../option-parsers.ts';
import { connectionFor } from '../../inventory/connection.ts';
import { formatIssue } from '../../inventory/errors.ts';
import { resolveSelection } from '../../inventory/limit.ts';
import { loadInventory } from '../../inventory/load.ts';
import type { InventoryHost } from '../../inventory/types.ts';
import { asUsageError } from '../input-errors.ts';
import { startInventoryLab } from '../lab-wiring.ts';
import { ansibleContext, connectionDefaults, inventorySources } from '../targets.ts';
import { addVaultOptions, type VaultOptions } from '../vault-passwords.ts';
import type { RpcOptions, RpcReply } from '../../contracts/session.ts';

interface RpcCliOptions extends LimitCliOptions, VaultOptions {
  auditLog: string;
  host?: string;
  inventory: string[];
  limit?: string;
  forks?: number;
  cli?: string;
  cliFormat: 'text' | 'xml';
  port: number;
  user: string;
  passwordEnv?: string;
  key?: string;
  passphraseEnv?: string;
  agent?: boolean;
  knownHosts: string;
  acceptNew?: boolean;
  arg: string[];
  xml?: string;
  format: 'xml' | 'json';
  timeout: number;
  connectTimeout: number;
  netconf10?: boolean;
  yes?: boolean;
  wide?: boolean;
}

/** Raw replies converted by xml2js are held whole: cap them so a huge reply fails clearly. */
const MAX_JSON_RAW_BYTES = 64 * 1024 * 1024;

export function registerRpcCommand(program: Command): void {
  const command = addVaultOptions(program.command('rpc'))
    .description('Send one RPC to one device, or to the hosts of an inventory that a pattern selects, and print the replies (the ad-hoc command)')
    .argument('[pattern-or-name]', 'with -i (or an ansible.cfg inventory): the host pattern; with --host: the RPC name')
    .argument('[name]', 'with an inventory: the RPC name, e.g. get-flow-session-information')
    .option('--host <address>', 'device address (instead of an inventory)')
    .option('-i, --inventory <file>', 'Ansible inventory; repeatable (default: ansible.cfg inventory / ANSIBLE_INVENTORY)', collect, [])
    .option('-l, --limit <pattern>', 'further limit the hosts the pattern selects')
    .option('-f, --forks <n>', 'hosts in flight at once (default: ansible.cfg forks / ANSIBLE_FORKS, else 5)', positiveInt)
    .option('--cli <command>', "send a CLI command through Junos's <command> RPC, e.g. \"show security flow session summary\"")
    .option('--cli-format <format>', 'with --cli: text (the command output) or xml (the reply as received)', 'text')
    .option('--port <port>', 'NETCONF port', port, 830)
    .option('--user <name>', 'SSH user', userInfo().username)
    .option('--password-env <VAR>', 'read the password from this environment variable')
    .option('--key <file>', 'private key file')
    .option('--passphrase-env <VAR>', "read the key's passphrase from this environment variable")
    .option('--agent', 'authenticate with the ssh-agent at $SSH_AUTH_SOCK')
    .option('--known-hosts <file>', 'known_hosts file to verify the host key', join(homedir(), '.ssh', 'known_hosts'))
    .option('--accept-new', 'trust and record an unknown host key (never a changed one)')
    .option('--arg <k=v>', 'RPC argument; a bare name is a flag (repeatable)', collect, [])
    .option('--xml <body>', 'send this RPC body instead of NAME and --arg')
    .option('--format <format>', 'xml (as received, streamed) or json (extracted)', 'xml')
    .option('--timeout <seconds>', 'longest wait for reply data', positiveInt, 120)
    .option('--connect-timeout <seconds>', 'connect, authenticate and exchange hellos within', positiveInt, 20)
    .option('--netconf-1.0', 'offer only base:1.0 framing', false)
    .option('-y, --yes', 'do not ask before sending an RPC that changes device state (needed when not on a terminal)')
    .option('--wide', 'send a clear with none of the arguments that narrow it: it clears everything of its kind')
    .option('--audit-log <file>', 'where a state-changing RPC is recorded: an intent line before it is sent, an outcome line when it ends', '.runbook/audit.jsonl')
    .addHelpText(
      'after',
      `
Examples:
  runbook rpc --host 10.0.0.1 --user netops --agent get-flow-session-information --arg protocol=ah --arg summary
  runbook rpc --host 127.0.0.1 --port 10830 --user lab --password-env RUNBOOK_LAB_PASSWORD \\
      --known-hosts .runbook/lab/known_hosts get-security-associations-information --format json`,
    )
    .action(async (first: string | undefined, second: string | undefined, opts: RpcCliOptions) => {
      if (opts.host !== undefined) {
        if (second !== undefined) throw new UsageError(`with --host, give only the RPC name (not '${first}' and '${second}')`);
        process.exitCode = await runRpc(first, { ...opts, host: opts.host });
      } else {
        process.exitCode = await runRpcOverInventory(first, second, opts);
      }
    });
  addLimitOptions(command, { hostDeadline: false });
}

/** What to send: the RPC body and the calls in it (for the safety questions). */
function requestOf(name: string | undefined, opts: RpcCliOptions): { body: string; calls: readonly RpcCall[] } {
  if (opts.format !== 'xml' && opts.format !== 'json') throw new UsageError(`--format must be xml or json, not '${opts.format}'`);
  if (opts.cli !== undefined) {
    if (name !== undefined || opts.xml !== undefined || opts.arg.length > 0) throw new UsageError('give --cli alone, without NAME, --arg or --xml');
    return cliRequest(opts.cli, opts.cliFormat);
  }
  let body: string;
  let calls: readonly RpcCall[];
  if (opts.xml !== undefined) {
    if (name !== undefined || opts.arg.length > 0) throw new UsageError('give either NAME with --arg, or --xml, not both');
    body = opts.xml;
    calls = callsInBody(body);
  } else {
    if (name === undefined) throw new UsageError('name an RPC (e.g. get-software-information) or give --xml');
    try {
      const args = parseArgs(opts.arg);
      body = buildRpc(name, args, { wide: opts.wide === true });
      calls = [{ name, args }];
    } catch (err) {
      if (err instanceof RpcBuildError) throw new UsageError(err.message);
      throw err;
    }
  }
  return { body, calls };
}

/**
 * Junos's `<command>` RPC: an operational CLI command, answered as text (inside
 * `<output>`) or as XML. Only `show` commands are reads; anything else (`clear`,
 * `request`) is treated as changing state, asked about and needing --yes.
 */
function cliRequest(command: string, format: string): { body: string; calls: readonly RpcCall[] } {
  if (format !== 'text' && format !== 'xml') throw new UsageError(`--cli-format must be text or xml, not '${format}'`);
  const text = command.trim().replace(/\s+/g, ' ');
  if (text === '' || /[<>&\n]/.test(command)) throw new UsageError(`--cli: '${command}' is not a Junos operational command`);
  const isRead = /^show /.test(text);
  return {
    body: `<command format="${format}">${text}</command>`,
    calls: [{ name: isRead ? 'get-cli-command' : `command: ${text}`, args: {} }],
  };
}

async function runRpc(name: string | undefined, opts: RpcCliOptions & { host: string }): Promise<number> {
  const { body, calls } = requestOf(name, opts);
  const audit = rpcAudit(calls, opts);
  await confirmSending(calls, opts);
  const connect = await connectOptions(opts);
  try {
    return await exchange(connect, name, body, opts, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }, audit);
  } finally {
    audit?.log.close();
  }
}

/** What the audit log gets for a request that may change the device (nothing for a read). */
interface RpcAudit {
  readonly log: AuditLog;
  readonly rpc: AuditedRpc;
}

/**
 * The audit log for a request that may change state, checked writable before anything is
 * asked or contacted: ad-hoc clears are recorded as apply's are, intent before the send.
 */
function rpcAudit(calls: readonly RpcCall[], opts: RpcCliOptions): RpcAudit | undefined {
  const changing = calls.filter((c) => mayChangeState(c.name));
  if (changing.length === 0) return undefined;
  checkOutputPaths([{ option: '--audit-log', path: opts.auditLog, kind: 'created-file' }]);
  const args = (c: RpcCall) => Object.fromEntries(Object.entries(c.args).map(([k, v]) => [k, v === true ? '' : v]));
  const shown = (c: RpcCall) => Object.fromEntries(Object.entries(c.args).map(([k, v]) => [k, v === '' ? true : v]));
  const cli = changing.map((c) => (rpcSpec(c.name) ? cliForm(c.name, shown(c)) : c.name)).join('; ');
  const first = changing[0]!;
  const wide = wideOf(first);
  return {
    log: new AuditLog(opts.auditLog, { id: newRunId(), playbook: '(runbook rpc)' }),
    rpc: { rpc: changing.map((c) => c.name).join(','), cli, args: args(first), ...(wide !== undefined ? { wide } : {}) },
  };
}

/** Where one host's output goes: straight to stdout/stderr, or into that host's block. */
interface Sink {
  out(text: string): void;
  err(text: string): void;
}

/** Connects, sends the request, writes the reply; returns the exit code for this host. */
async function exchange(connect: ConnectOptions, name: string | undefined, body: string, opts: RpcCliOptions, sink: Sink, audit?: RpcAudit): Promise<number> {
  let session: NetconfSession | undefined;
  try {
    session = await NetconfSession.connect(connect);
    const live = session;
    // A state-changing request: its intent is on disk before it is sent, its outcome when it ends.
    const send = async (options: RpcOptions): Promise<RpcReply> => {
      const ended = audit?.log.forHost(connect.name ?? connect.address).sending(audit.rpc);
      try {
        const reply = await live.rpc(body, options);
        ended?.(reply.errors.length > 0 ? { outcome: 'failed', error: { phase: 'act', kind: 'rpc-error', message: reply.errors.map(describeRpcError).join('; ') } } : { outcome: 'ok' });
        return reply;
      } catch (err) {
        ended?.(endOf(failureOf('act', err)));
        throw err;
      }
    };
    const rpcName = name ?? body;
    const extractor = opts.format === 'json' && name !== undefined ? extractorFor(name, parseArgs(opts.arg)) : undefined;
    const cliText = opts.cli !== undefined && opts.cliFormat === 'text';
    if (opts.format === 'xml' && !cliText) {
      const reply = await send({ onText: (t) => sink.out(t), allowErrors: true, timeoutMs: opts.timeout * 1000 });
      return reportErrors(reply.errors, reply.warnings, sink);
    }
    if (extractor) {
      const reply = await send({ handler: extractor, allowErrors: true, timeoutMs: opts.timeout * 1000 });
      if (reply.errors.length === 0) sink.out(JSON.stringify(extractor.result(), null, 2) + '\n');
      return reportErrors(reply.errors, reply.warnings, sink);
    }
    // No extractor for this RPC: convert the whole reply with xml2js, within a size cap.
    let raw = '';
    const reply = await send({
      allowErrors: true,
      timeoutMs: opts.timeout * 1000,
      onText: (t) => {
        raw += t;
        if (raw.length > MAX_JSON_RAW_BYTES) throw new UsageError(`reply to ${rpcName} is over ${MAX_JSON_RAW_BYTES >> 20} MB: use --format xml`);
      },
    });
    const { default: xml2js } = await import('xml2js');
    const json: unknown = await xml2js.parseStringPromise(raw, { explicitArray: false, tagNameProcessors: [xml2js.processors.stripPrefix] });
    if (cliText) {
      const output = findOutput(json);
      if (output !== undefined) sink.out(output.endsWith('\n') ? output : `${output}\n`);
    } else {
      sink.out(JSON.stringify(json, null, 2) + '\n');
    }
    return reportErrors(reply.errors, reply.warnings, sink);
  } catch (err) {
    if (err instanceof TransportError) {
      sink.err(`runbook: ${err.message}\n`);
      return ['connect', 'auth', 'hostkey', 'timeout'].includes(err.phase) ? ExitCode.HostsUnreachable : ExitCode.HostsFailed;
    }
    if (err instanceof RpcError) return reportErrors(err.errors, err.warnings, sink);
    throw err;
  } finally {
    await session?.close();
  }
}

/** The text of the `<output>` element Junos answers a text `<command>` with. */
function findOutput(node: unknown): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'output') return typeof v === 'string' ? v : typeof (v as { _?: unknown })?._ === 'string' ? (v as { _: string })._ : '';
    const found = findOutput(v);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The ad-hoc command over an inventory, like `ansible PATTERN -m junos_rpc`: the hosts
 * the pattern selects, `forks` at a time, each host's reply printed as one block after
 * a `NAME | OK` (or FAILED / UNREACHABLE) line. The exit code is the worst host's.
 */
async function runRpcOverInventory(pattern: string | undefined, name: string | undefined, opts: RpcCliOptions): Promise<number> {
  if (pattern === undefined) throw new UsageError('give --host ADDRESS, or a host pattern (with -i INVENTORY or an ansible.cfg inventory) and an RPC');
  const { body, calls } = requestOf(name, opts);
  const audit = rpcAudit(calls, opts);
  const { settings, vault } = await ansibleContext(opts);
  if (opts.inventory.length === 0 && settings.inventory === undefined) throw new UsageError(`'${pattern}' is a host pattern, but no inventory was given: use -i INVENTORY, or --host ADDRESS`);
  const files = inventorySources(opts.inventory, settings);
  const targets = await asUsageError(async () => {
    const inventory = await loadInventory([...files], { vault });
    const { hosts, warnings } = resolveSelection(inventory, pattern, opts.limit);
    for (const w of inventory.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
    for (const w of warnings) process.stderr.write(`warning: ${w.message}\n`);
    const defaults = connectionDefaults({ inventoryFiles: files, extraVars: [], knownHosts: opts.knownHosts, ...(opts.acceptNew ? { acceptNew: true } : {}), ansible: settings, ...(opts.sshConfig !== undefined ? { sshConfig: opts.sshConfig } : {}) });
    const out: { host: InventoryHost; connect?: ConnectOptions }[] = [];
    for (const h of hosts) out.push(h.lab ? { host: h } : { host: h, connect: await connectionFor(h, process.env, defaults) });
    return out;
  });
  await confirmSending(calls, { ...opts, host: `${targets.length} host${targets.length === 1 ? '' : 's'} (${targets.map((t) => t.host.name).join(', ')})` });
  const lab = await startInventoryLab(targets.map((t) => t.host));
  const forks = opts.forks ?? settings.forks ?? 5;
  let worst: number = ExitCode.Ok;
  try {
    const queue = [...targets];
    const worker = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) {
        const base = t.connect ?? lab!.connections.get(t.host.name)!;
        const connect: ConnectOptions = Object.assign(Object.create(base) as ConnectOptions, {
          connectTimeoutMs: base.connectTimeoutMs ?? opts.connectTimeout * 1000,
          rpcTimeoutMs: opts.timeout * 1000,
          ...(opts.rpcDeadline !== undefined ? { rpcDeadlineMs: opts.rpcDeadline * 1000 } : {}),
          ...limitsGiven(opts),
          ...(opts.netconf10 ? { base10Only: true } : {}),
        });
        const block: string[] = [];
        const code = await exchange(connect, name, body, opts, { out: (x) => block.push(x), err: (x) => block.push(x) }, audit);
        const status = code === ExitCode.Ok ? 'OK' : code === ExitCode.HostsUnreachable ? 'UNREACHABLE' : 'FAILED';
        // One block per host, written whole, so forks never interleave hosts' output.
        const text = block.join('');
        process.stdout.write(`${t.host.name} | ${status}\n${text}${block.length > 0 && !text.endsWith('\n') ? '\n' : ''}`);
        worst = Math.max(worst, code);
      }
    };
    await Promise.all(Array.from({ length: Math.min(forks, targets.length) }, worker));
  } finally {
    audit?.log.close();
    await lab?.stop();
  }
  return worst;
}

/** One RPC a command line sends: its name and arguments as far as they can be read. */
interface RpcCall {
  readonly name: string;
  /** '' for an element with no text (a flag, or an empty value). */
  readonly args: Readonly<Record<string, string | true>>;
}

/** The RPCs a raw --xml body calls (its top-level elements); a body runbook cannot read is one unknown call. */
function callsInBody(body: string): RpcCall[] {
  const calls: RpcCall[] = [];
  try {
    parseString(
      {
        items: new Set(['rpc']),
        onElement: (rpc) => {
          for (const el of rpc.children) {
            calls.push({ name: el.name, args: Object.fromEntries(el.children.map((c) => [c.name, c.text.trim()])) });
          }
        },
      },
      `<rpc>${body}</rpc>`,
    );
  } catch {
    return [{ name: '(unreadable --xml body)', args: {} }];
  }
  return calls;
}

/**
 * Whether an RPC may change the device: the catalog says so, or runbook does not know it
 * and it is not one of Junos's reads (their RPCs are named get-…).
 */
function mayChangeState(name: string): boolean {
  const spec = rpcSpec(name);
  return spec ? spec.changesState : !name.startsWith('get-');
}

/** What a call clears with no narrowing argument; an empty one (<index/>) narrows nothing. */
function wideOf(c: RpcCall): string | undefined {
  return wideEffect(c.name, Object.fromEntries(Object.entries(c.args).filter(([, v]) => v !== '')));
}

/**
 * A clear with none of its narrowing arguments needs --wide; anything that may change the
 * device is asked about on a terminal and needs --yes otherwise, as apply does.
 */
async function confirmSending(calls: readonly RpcCall[], opts: RpcCliOptions): Promise<void> {
  const wide = calls.map((c) => ({ call: c, wide: wideOf(c) })).filter((w) => w.wide !== undefined);
  if (opts.xml !== undefined && wide.length > 0 && opts.wide !== true) {
    throw new UsageError(`--xml: rpc ${JSON.stringify(wide[0].call.name)}: ${unnarrowedReason(wide[0].call.name, wide[0].wide ?? '')}`);
  }
  const changing = calls.filter((c) => mayChangeState(c.name));
  if (changing.length === 0 || opts.yes) return;
  const described = changing.map((c) => {
    const w = wideOf(c);
    const shown = Object.fromEntries(Object.entries(c.args).map(([k, v]) => [k, v === '' ? true : v]));
    return `${rpcSpec(c.name) ? cliForm(c.name, shown) : c.name}${w !== undefined ? ` (WIDE: it ${w})` : ''}`;
  });
  const what = `This sends ${described.join('; ')} to ${opts.host}, which ${changing.length === 1 ? 'changes' : 'change'} device state${changing.some((c) => !rpcSpec(c.name)) ? ' (or may: runbook does not know the RPC)' : ''}.`;
  // Ctrl-C at the question sends nothing, as a no does.
  if (!(await confirmOnTerminal(what, `${what} Not on a terminal, so nothing can ask: add --yes to send it`))) throw new UsageError('interrupted at the question: nothing was sent');
}

function reportErrors(errors: RpcError['errors'], warnings: RpcError['warnings'], sink: Sink): number {
  for (const w of warnings) sink.err(`warning: ${describeRpcError(w)}\n`);
  for (const e of errors) sink.err(`rpc-error: ${describeRpcError(e)}\n`);
  return errors.length > 0 ? ExitCode.HostsFailed : ExitCode.Ok;
}

async function connectOptions(opts: RpcCliOptions & { host: string }): Promise<ConnectOptions> {
  const fromEnv = (v: string | undefined, what: string): string | undefined => {
    if (v === undefined) return undefined;
    const value = process.env[v];
    if (value === undefined) throw new UsageError(`${what}: environment variable ${v} is not set`);
    return value;
  };
  let privateKey: Buffer | undefined;
  if (opts.key !== undefined) {
    try {
      privateKey = await readFile(opts.key);
    } catch (err) {
      throw new UsageError(`--key ${opts.key}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  }
  const agent = opts.agent ? process.env.SSH_AUTH_SOCK : undefined;
  if (opts.agent && !agent) throw new UsageError('--agent: SSH_AUTH_SOCK is not set');
  const password = fromEnv(opts.passwordEnv, '--password-env');
  if (password === undefined && !privateKey && !agent) throw new UsageError('no credentials: give --password-env, --key or --agent');
  return {
    address: opts.host,
    port: opts.port,
    username: opts.user,
    knownHostsFile: opts.knownHosts,
    connectTimeoutMs: opts.connectTimeout * 1000,
    rpcTimeoutMs: opts.timeout * 1000,
    ...(opts.rpcDeadline !== undefined ? { rpcDeadlineMs: opts.rpcDeadline * 1000 } : {}),
    ...limitsGiven(opts),
    ...(opts.acceptNew ? { acceptNewHostKey: true } : {}),
    ...(opts.netconf10 ? { base10Only: true } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(privateKey ? { privateKey } : {}),
    ...(opts.passphraseEnv ? { passphrase: fromEnv(opts.passphraseEnv, '--passphrase-env') } : {}),
    ...(agent ? { agent } : {}),
  };
}
