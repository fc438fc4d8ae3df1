/**
 * A private OpenSSH server for interop tests: its own host key, config and pid file in a
 * temp dir, listening on 127.0.0.1 on a free port, public-key login only. It never
 * touches /etc/ssh and never listens beyond loopback.
 *
 * Also holds the small process helpers shared with netconfd.ts (start a child, wait
 * for it to be ready with a deadline, stop it and everything it forked).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';
/** sshd's privilege-separation directory on Debian; sshd refuses to start without it. */
const PRIVSEP_DIR = '/run/sshd';
const READY_TIMEOUT_MS = 20_000;

/** Why a private sshd cannot run here, or undefined when it can. */
export function sshdUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `private sshd tests need Linux (this is ${process.platform})`;
  if (!isExecutable(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server)`;
  if (!findOnPath('ssh-keygen')) return 'ssh-keygen is not installed (apt-get install openssh-client)';
  if (!existsSync(PRIVSEP_DIR)) {
    try {
      mkdirSync(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
    } catch (err) {
      return `sshd needs its privilege-separation dir ${PRIVSEP_DIR} and it cannot be created: ${(err as Error).message}`;
    }
  }
  return undefined;
}

export interface SshdOptions {
  /** A fresh directory for keys, config, pid file and log. */
  readonly dir: string;
  /** Subsystem name → command line (absolute program path, then arguments). */
  readonly subsystems: Readonly<Record<string, string>>;
  /** Use this port instead of picking a free one. */
  readonly port?: number;
  /** Let clients open direct-tcpip channels (a jump host). Default no. */
  readonly allowTcpForwarding?: boolean;
  /** sshd's LogLevel; DEBUG1 logs each forwarded channel's target. Default VERBOSE. */
  readonly logLevel?: string;
}

export interface RunningSshd {
  readonly port: number;
  /** The account that may log in (the one running the tests). */
  readonly user: string;
  /** `[127.0.0.1]:PORT keytype base64` for the server's host key. */
  readonly knownHostsFile: string;
  /** The private key (OpenSSH format) listed in the server's AuthorizedKeysFile. */
  readonly clientKey: Buffer;
  readonly clientKeyFile: string;
  readonly pid: number;
  /** What sshd wrote on stderr (-e), for assertion messages. */
  log(): string;
  /** Stops sshd and every process it forked (per-connection sshd, subsystems). Idempotent. */
  stop(): Promise<void>;
}

/** Generates an ed25519 key pair with ssh-keygen; returns the public key line. */
export async function sshKeygen(file: string, comment: string): Promise<string> {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ssh-keygen failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`);
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

/**
 * Starts `sshd -D -e -f <dir>/sshd_config` and waits until it accepts connections.
 * Retries with another port if the one picked was taken in the meantime.
 */
export async function startSshd(opts: SshdOptions): Promise<RunningSshd> {
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const hostKeyFile = join(opts.dir, 'ssh_host_ed25519_key');
  const clientKeyFile = join(opts.dir, 'client_ed25519');
  const authorizedKeysFile = join(opts.dir, 'authorized_keys');
  const hostPub = await sshKeygen(hostKeyFile, 'runbook-interop-host');
  const clientPub = await sshKeygen(clientKeyFile, 'runbook-interop-client');
  await writeFile(authorizedKeysFile, clientPub + '\n', { mode: 0o600 });
  const user = userInfo().username;
  const [keyType, keyBase64] = hostPub.split(/\s+/);

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < (opts.port ? 1 : 3); attempt++) {
    const port = opts.port ?? (await freePort());
    const configFile = join(opts.dir, 'sshd_config');
    const lines = [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKeyFile}`,
      `PidFile ${join(opts.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeysFile}`,
      `AllowUsers ${user}`,
      'UsePAM no',
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowTcpForwarding ${opts.allowTcpForwarding ? 'yes' : 'no'}`,
      'X11Forwarding no',
      'PrintMotd no',
      `LogLevel ${opts.logLevel ?? 'VERBOSE'}`,
      // sshd runs every subsystem through the account's shell (`bash -c ...`), and Debian's
      // bash reads ~/.bashrc when started by sshd. A developer's .bashrc (pyenv init, which
      // runs `pyenv rehash` under a lock, nvm, ...) then runs before every NETCONF session:
      // slow, and a stale pyenv lock makes it wait 60 s. A HOME of our own has no .bashrc.
      `SetEnv HOME=${opts.dir}`,
      ...Object.entries(opts.subsystems).map(([name, cmd]) => `Subsystem ${name} ${cmd}`),
    ];
    await writeFile(configFile, lines.join('\n') + '\n', { mode: 0o600 });
    const check = spawnSync(SSHD, ['-t', '-f', configFile], { encoding: 'utf8', timeout: 10_000 });
    if (check.status !== 0) throw new Error(`sshd -t refused ${configFile}: ${check.stderr}`);

    const proc = startProcess(SSHD, ['-D', '-e', '-f', configFile], { name: 'sshd' });
    try {
      await waitFor(() => proc.output().includes('Server listening on'), READY_TIMEOUT_MS, 'sshd to listen', proc);
      await waitForTcp(port, READY_TIMEOUT_MS);
    } catch (err) {
      await proc.stop();
      lastError = err as Error;
      if (/Address already in use/.test(proc.output())) continue;
      throw err;
    }
    const knownHostsFile = join(opts.dir, 'known_hosts');
    await writeFile(knownHostsFile, `[127.0.0.1]:${port} ${keyType} ${keyBase64}\n`, { mode: 0o600 });
    return {
      port,
      user,
      knownHostsFile,
      clientKey: await readFile(clientKeyFile),
      clientKeyFile,
      pid: proc.pid,
      log: () => proc.output(),
      stop: () => proc.stop(),
    };
  }
  throw lastError ?? new Error('sshd did not start');
}

// ---------------------------------------------------------------------------------------
// Process helpers.

export interface ManagedProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** stdout and stderr so far (the last 64 KiB). */
  output(): string;
  exited(): boolean;
  /** SIGTERM to the process and all its descendants, SIGKILL after 3 s; resolves once it has exited. */
  stop(): Promise<void>;
}

const running = new Set<ManagedProcess>();
// A test run that dies (uncaught error, Ctrl-C, the runner's SIGTERM) still takes its
// servers with it. For signals: stop them, then let the signal do what it would have done.
// SIGTERM, not SIGKILL: a shell killed outright leaves its lock files behind.
const killAll = () => {
  for (const p of running) killTree(p.pid, 'SIGTERM');
};
process.once('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    killAll();
    process.kill(process.pid, sig);
  });
}

export function startProcess(cmd: string, args: readonly string[], opts: { name: string; env?: NodeJS.ProcessEnv; cwd?: string }): ManagedProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-65_536);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (err) => {
      keep(Buffer.from(`\n${opts.name}: ${err.message}\n`));
      exited = true;
      resolve();
    });
  });
  const managed: ManagedProcess = {
    pid: child.pid ?? -1,
    child,
    output: () => out,
    exited: () => exited,
    async stop() {
      if (child.pid === undefined) return void running.delete(managed);
      // Children first: after the parent dies they are re-parented and harder to find.
      const tree = descendants(child.pid);
      for (const pid of [...tree, child.pid]) signal(pid, 'SIGTERM');
      if (!(await within(exit, 3_000))) signal(child.pid, 'SIGKILL');
      await within(exit, 3_000);
      // The forked ones get the same grace before SIGKILL.
      const deadline = Date.now() + 3_000;
      while (tree.some(alive) && Date.now() < deadline) await delay(50);
      for (const pid of tree) if (alive(pid)) signal(pid, 'SIGKILL');
      running.delete(managed);
    },
  };
  running.add(managed);
  return managed;
}

/** Polls `ready` every 50 ms; fails after `timeoutMs`, or at once if `proc` has exited. */
export async function waitFor(ready: () => boolean | Promise<boolean>, timeoutMs: number, what: string, proc?: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (proc?.exited()) throw new Error(`gave up waiting for ${what}: the process exited; its output:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms${proc ? `; output so far:\n${proc.output()}` : ''}`);
    await delay(50);
  }
}

export function waitForTcp(port: number, timeoutMs: number): Promise<void> {
  return waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = connect({ host: '127.0.0.1', port });
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      }),
    timeoutMs,
    `127.0.0.1:${port} to accept connections`,
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Every live process whose parent chain leads to `root` (Linux /proc). */
export function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    for (const [pid, ppid] of parentOf) {
      if (ppid === p) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

function killTree(pid: number, sig: NodeJS.Signals): void {
  if (pid <= 0) return;
  for (const p of descendants(pid)) signal(p, sig);
  signal(pid, sig);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** True while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves true when `p` settles within `ms`, false otherwise (and leaves no timer behind). */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && isExecutable(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

export { isExecutable };
