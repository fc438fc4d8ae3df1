/**
 * yuma123's netconfd (Debian package `netconfd`) reached the standard way: OpenSSH's sshd
 * runs `netconf-subsystem`, which relays the channel to netconfd's UNIX socket. Both
 * run from a temp dir: netconfd's socket, log and data files are there, and sshd is the
 * private one from sshd.ts on a free loopback port.
 *
 * One thing lands outside the temp dir: netconfd 2.13 creates an empty ~/.yuma
 * directory (it looks the home up with getpwuid, so $HOME does not move it).
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
  /** netconfd's log file so far plus sshd's stderr, for assertion messages. */
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
        '--log-level=info',
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
      logs: () => `--- netconfd log ---\n${readLog(logFile)}\n--- sshd stderr ---\n${sshd.log()}`,
      stop: () => (stopped ??= (async () => {
        await sshd.stop();
        await netconfd.stop();
      })()),
    };
  }
  throw lastError ?? new Error('could not start sshd for netconfd');
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
