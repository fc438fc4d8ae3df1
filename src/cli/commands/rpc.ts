import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import xml2js from 'xml2js';
import { cliForm, rpcSpec, wideEffect } from '../../junos/catalog.ts';
import { buildRpc, parseArgs, RpcBuildError, unnarrowedReason } from '../../junos/rpc.ts';
import { parseString } from '../../xml/element-stream.ts';
import { extractorFor } from '../../junos/index.ts';
import { describeRpcError, RpcError, TransportError } from '../../transport/errors.ts';
import type { ConnectOptions } from '../../transport/options.ts';
import { NetconfSession } from '../../transport/session.ts';
import { confirmOnTerminal } from '../confirm.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { addLimitOptions, limitsGiven, type LimitCliOptions } from '../limit-options.ts';
import { collect, positiveInt, port } from '../option-parsers.ts';

interface RpcCliOptions extends LimitCliOptions {
  host: string;
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
  const command = program
    .command('rpc')
    .description('Send one RPC to one device and print the reply (the ad-hoc command)')
    .argument('[name]', 'RPC name, e.g. get-flow-session-information')
    .requiredOption('--host <address>', 'device address')
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
    .addHelpText(
      'after',
      `
Examples:
  runbook rpc --host 10.0.0.1 --user netops --agent get-flow-session-information --arg protocol=ah --arg summary
  runbook rpc --host 127.0.0.1 --port 10830 --user lab --password-env RUNBOOK_LAB_PASSWORD \\
      --known-hosts .runbook/lab/known_hosts get-security-associations-information --format json`,
    )
    .action(async (name: string | undefined, opts: RpcCliOptions) => {
      process.exitCode = await runRpc(name, opts);
    });
  addLimitOptions(command, { hostDeadline: false });
}

async function runRpc(name: string | undefined, opts: RpcCliOptions): Promise<number> {
  if (opts.format !== 'xml' && opts.format !== 'json') throw new UsageError(`--format must be xml or json, not '${opts.format}'`);
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
  await confirmSending(calls, opts);
  const connect = await connectOptions(opts);
  let session: NetconfSession | undefined;
  try {
    session = await NetconfSession.connect(connect);
    const rpcName = name ?? body;
    const extractor = opts.format === 'json' && name !== undefined ? extractorFor(name, parseArgs(opts.arg)) : undefined;
    if (opts.format === 'xml') {
      const reply = await session.rpc(body, { onText: (t) => process.stdout.write(t), allowErrors: true, timeoutMs: opts.timeout * 1000 });
      return reportErrors(reply.errors, reply.warnings);
    }
    if (extractor) {
      const reply = await session.rpc(body, { handler: extractor, allowErrors: true, timeoutMs: opts.timeout * 1000 });
      if (reply.errors.length === 0) process.stdout.write(JSON.stringify(extractor.result(), null, 2) + '\n');
      return reportErrors(reply.errors, reply.warnings);
    }
    // No extractor for this RPC: convert the whole reply with xml2js, within a size cap.
    let raw = '';
    const reply = await session.rpc(body, {
      allowErrors: true,
      timeoutMs: opts.timeout * 1000,
      onText: (t) => {
        raw += t;
        if (raw.length > MAX_JSON_RAW_BYTES) throw new UsageError(`reply to ${rpcName} is over ${MAX_JSON_RAW_BYTES >> 20} MB: use --format xml`);
      },
    });
    const json: unknown = await xml2js.parseStringPromise(raw, { explicitArray: false, tagNameProcessors: [xml2js.processors.stripPrefix] });
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    return reportErrors(reply.errors, reply.warnings);
  } catch (err) {
    if (err instanceof TransportError) {
      process.stderr.write(`runbook: ${err.message}\n`);
      return ['connect', 'auth', 'hostkey', 'timeout'].includes(err.phase) ? ExitCode.HostsUnreachable : ExitCode.HostsFailed;
    }
    if (err instanceof RpcError) return reportErrors(err.errors, err.warnings);
    throw err;
  } finally {
    await session?.close();
  }
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

function reportErrors(errors: RpcError['errors'], warnings: RpcError['warnings']): number {
  for (const w of warnings) process.stderr.write(`warning: ${describeRpcError(w)}\n`);
  for (const e of errors) process.stderr.write(`rpc-error: ${describeRpcError(e)}\n`);
  return errors.length > 0 ? ExitCode.HostsFailed : ExitCode.Ok;
}

async function connectOptions(opts: RpcCliOptions): Promise<ConnectOptions> {
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
