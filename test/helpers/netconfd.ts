/**
 * yuma123's netconfd (Debian package `netconfd`) reached the standard way: OpenSSH's sshd
 * runs `netconf-subsystem`, which relays the channel to netconfd's UNIX socket. Both
 * run from a temp dir: netconfd's socket, log and data files are there, and sshd is the
 * private one from sshd.ts on a free loopback port.
 *
 * One thing lands outside the temp dir: netconfd 2.13 creates an empty ~/.yuma
 * directory (it looks the home up with getpwuid, so $HOME does not move it).
 *
 * netconfd 2.13 (and 2.14) has a bug a client meets by chance: bytes that reach it in
 * the same read as the client's <hello> are set aside until the hello is handled, and
 * then handled only when more input arrives (the loop that should take them up at once
 * has been dead since yuma123 commit dd3db4ee). So an RPC sent as soon as the server's
 * hello is in, and read by a busy netconfd together with our hello, gets no reply until
 * the client writes again. `helloTakenIn` lets a test wait, before its first RPC, until
 * netconfd has read our hello; its log (at debug3) is the only place that shows it.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, isExecutable, startProcess, startSshd, sshdUnavailable, waitFor, type ManagedProcess, type RunningSshd } from './sshd.ts';

export const NETCONFD = '/usr/sbin/netconfd';
export const NETCONF_SUBSYSTEM = '/usr/sbin/netconf-subsystem';
const READY_TIMEOUT_MS = 20_000;

/** Why netconfd-over-sshd cannot run here, or undefined when it can. */
export function netconfdUnavailable(): string | undefined {
  if (!isExecutable(NETCONFD)) return `${NETCONFD} is not installed (apt-get install netconfd)`;
  if (!isExecutable(NETCONF_SUBSYSTEM)) return `${NETCONF_SUBSYSTEM} is not installed (apt-get install netconfd)`;
  return sshdUnavailable();
}

export interface RunningNetconfd {
  /** sshd's port on 127.0.0.1; the `netconf` subsystem leads to netconfd. */
  readonly port: number;
  readonly user: string;
  readonly knownHostsFile: string;
  readonly clientKey: Buffer;
  readonly sshd: RunningSshd;
  readonly netconfd: ManagedProcess;
  /** netconfd's log file (at debug3: every message it reads and sends). */
  readonly logFile: string;
  /**
   * Resolves once netconfd has read the client's <hello> of session `sessionId`, so an
   * RPC sent now cannot share a read with it (see the top of this file).
   */
  helloTakenIn(sessionId: string): Promise<void>;
  /** The end of netconfd's log file so far plus sshd's stderr, for assertion messages. */
  logs(): string;
  /** Stops sshd (and the subsystem processes it forked), then netconfd. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts netconfd on `<dir>/ncxserver.sock` and a private sshd whose `netconf`
 * subsystem is `netconf-subsystem --ncxserver-sockname=PORT@<socket>`.
 * `dir` must be short: a UNIX socket path is limited to 107 bytes.
 */
export async function startNetconfdOverSsh(dir: string): Promise<RunningNetconfd> {
  const sock = join(dir, 'ncxserver.sock');
  if (Buffer.byteLength(sock) > 100) throw new Error(`socket path too long for a UNIX socket: ${sock}`);
  const yumaHome = join(dir, 'yuma');
  mkdirSync(join(yumaHome, 'data'), { recursive: true });
  const logFile = join(dir, 'netconfd.log');
  const user = userInfo().username;

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    // netconf-subsystem passes the SSH port it was reached on (from SSH_CONNECTION) to
    // netconfd, which accepts only the ports in its --port list: both need the same one.
    const port = await freePort();
    const netconfd = startProcess(
      NETCONFD,
      [
        '--no-startup',
        `--superuser=${user}`,
        `--ncxserver-sockname=${sock}`,
        `--port=${port}`,
        `--yuma-home=${yumaHome}`,
        `--log=${logFile}`,
        // debug3: the only level that logs where netconfd's reads end (helloTakenIn).
        '--log-level=debug3',
        '--hello-timeout=30',
      ],
      { name: 'netconfd', cwd: dir, env: { ...process.env, HOME: dir } },
    );
    try {
      await waitFor(() => isSocket(sock) && readLog(logFile).includes('Running netconfd server'), READY_TIMEOUT_MS, `netconfd to listen on ${sock}`, netconfd);
    } catch (err) {
      await netconfd.stop();
      throw new Error(`${(err as Error).message}\nnetconfd log:\n${readLog(logFile)}`);
    }
    let sshd: RunningSshd;
    try {
      sshd = await startSshd({ dir: join(dir, `sshd-${attempt}`), port, subsystems: { netconf: `${NETCONF_SUBSYSTEM} --ncxserver-sockname=${port}@${sock}` } });
    } catch (err) {
      await netconfd.stop();
      lastError = err as Error;
      if (/Address already in use/.test(lastError.message)) continue;
      throw err;
    }
    let stopped: Promise<void> | undefined;
    return {
      port,
      user: sshd.user,
      knownHostsFile: sshd.knownHostsFile,
      clientKey: sshd.clientKey,
      sshd,
      netconfd,
      logFile,
      helloTakenIn: (sessionId) => waitFor(() => tookInHello(readLog(logFile), sessionId), READY_TIMEOUT_MS, `netconfd to read the hello of session ${sessionId}`, netconfd),
      logs: () => `--- netconfd log (the last 20,000 characters) ---\n${readLog(logFile).slice(-20_000)}\n--- sshd stderr ---\n${sshd.log()}`,
      stop: () => (stopped ??= (async () => {
        await sshd.stop();
        await netconfd.stop();
      })()),
    };
  }
  throw lastError ?? new Error('could not start sshd for netconfd');
}

/**
 * Whether netconfd's log shows that it has read the client's <hello> of a session, as
 * long as the client has sent nothing after it yet. Either netconfd handled the hello,
 * or the hello came in the same read as netconf-subsystem's <ncx-connect> header and is
 * held back behind it; then the client's next bytes release it, and are read on their own.
 */
export function tookInHello(log: string, sessionId: string): boolean {
  if (new RegExp(`^Session ${sessionId} for \\S+ now active`, 'm').test(log)) return true;
  // netconfd 2.13 prints (bytes held back, bytes read, session), whatever its labels say.
  for (const m of log.matchAll(/^ses: Deferring trailing input data on ses:(\d+) \((\d+) of (\d+) bytes\)/gm)) {
    if (m[3] === sessionId && Number(m[1]) > 0) return true;
  }
  return false;
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

function readLog(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
