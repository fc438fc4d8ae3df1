import { InputError } from '../contracts/input-error.ts';
import type { RunIds } from '../contracts/run-ids.ts';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { hostname } from 'node:os';

/**
 * Syslog like the seed's op script ("top-ah-clear-sa[pid]: starting flow session table
 * scan."), one message per device line, to the local syslog socket or to a remote
 * server in RFC 5424 form.
 */
export interface SyslogSink {
  send(device: string, message: string): void;
  close(): Promise<void>;
}

export interface SyslogTarget {
  readonly kind: 'local' | 'udp' | 'tcp';
  readonly host?: string;
  readonly port?: number;
}

export class SyslogTargetError extends InputError {
  override readonly name = 'SyslogTargetError';
}

/** `local`, `udp://host[:514]` or `tcp://host[:514]`. */
export function parseSyslogTarget(text: string): SyslogTarget {
  if (text === 'local') return { kind: 'local' };
  const m = /^(udp|tcp):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d{1,5}))?\/?$/.exec(text);
  if (!m) throw new SyslogTargetError(`--syslog '${text}': expected local, udp://HOST[:PORT] or tcp://HOST[:PORT]`);
  const port = m[3] ? Number(m[3]) : 514;
  if (port < 1 || port > 65535) throw new SyslogTargetError(`--syslog '${text}': bad port`);
  return { kind: m[1] as 'udp' | 'tcp', host: m[2].replace(/^\[|\]$/g, ''), port };
}

const FACILITY_USER = 1;
const SEVERITY_INFO = 6;

/** RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`; the run's ids are structured data beside the device. */
export function formatRfc5424(appName: string, device: string, message: string, now = new Date(), ids?: RunIds): string {
  const pri = FACILITY_USER * 8 + SEVERITY_INFO;
  const param = (name: string, value: string) => ` ${name}="${value.replace(/["\\\]]/g, (c) => `\\${c}`)}"`;
  const sd = `[runbook@32473${param('device', device)}${ids ? param('run', ids.runId) : ''}${ids?.ticket !== undefined ? param('ticket', ids.ticket) : ''}]`;
  return `<${pri}>1 ${now.toISOString()} ${hostname() || '-'} ${appName} ${process.pid} - ${sd} ${device}: ${message}`;
}

/** A line for the local syslog (no structured data there): the device's line, then the run's ids. */
export function localLine(device: string, message: string, ids?: RunIds): string {
  return `${device}: ${message}${ids ? ` [run ${ids.runId}${ids.ticket !== undefined ? ` ticket ${ids.ticket}` : ''}]` : ''}`;
}

/**
 * `warn` hears, once, that the target cannot be reached (refused, unresolvable, no
 * logger(1)): syslog is best effort and never stops a run, but it is not silent either.
 */
export function openSyslog(target: SyslogTarget, appName: string, warn: (why: string) => void = () => undefined, ids?: RunIds): SyslogSink {
  let warned = false;
  const failed = (err: Error) => {
    if (warned) return;
    warned = true;
    warn(err.message);
  };
  switch (target.kind) {
    case 'udp': {
      const socket = createSocket(target.host?.includes(':') ? 'udp6' : 'udp4');
      socket.on('error', failed);
      let pending = 0;
      let drained: (() => void) | undefined;
      return {
        send(device, message) {
          pending++;
          socket.send(formatRfc5424(appName, device, message, new Date(), ids), target.port, target.host, (err) => {
            if (err) failed(err);
            if (--pending === 0) drained?.();
          });
        },
        async close() {
          if (pending > 0) await new Promise<void>((r) => (drained = r));
          socket.close();
        },
      };
    }
    case 'tcp': {
      // RFC 6587 octet counting, so messages survive any TCP segmentation.
      const socket = connect({ host: target.host ?? '127.0.0.1', port: target.port ?? 514 });
      socket.on('error', failed);
      return {
        send(device, message) {
          const msg = Buffer.from(formatRfc5424(appName, device, message, new Date(), ids));
          socket.write(`${msg.length} `);
          socket.write(msg);
        },
        close: () => new Promise((r) => (socket.destroyed ? r() : socket.end(() => r()))),
      };
    }
    case 'local': {
      // Node has no Unix datagram sockets; logger(1) writes to /dev/log as the system expects.
      const children: Promise<void>[] = [];
      return {
        send(device, message) {
          // Its own process group: a Ctrl-C on the terminal interrupts the run, not the lines it is logging.
          const child = spawn('logger', ['-t', `${appName}[${process.pid}]`, '-p', 'user.info', '--', localLine(device, message, ids)], { stdio: 'ignore', detached: true });
          children.push(new Promise((r) => (child.on('close', () => r()), child.on('error', (err) => (failed(err), r())))));
        },
        close: async () => void (await Promise.all(children)),
      };
    }
  }
}
