/**
 * One `ansible-playbook` run of the foil, timed from spawn to exit, with the memory of
 * every process it starts (forks, `ansible-connection` daemons, module runs) summed and
 * sampled every 200 ms. Prints a BENCH-RESULT line.
 * `node --import tsx bench/foil/ansible-run.ts INVENTORY PLAYBOOK FORKS ENV_JSON`
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { MarkedProcesses } from '../lib/marked-processes.ts';
import { reportResult } from '../lib/probe.ts';

const [inventory, playbook, forks, envJson] = process.argv.slice(2) as [string, string, string, string];
const marker = `RUNBOOK_BENCH_FOIL=${randomUUID()}`;
const env = { ...(JSON.parse(envJson) as Record<string, string>), [marker.split('=')[0]!]: marker.split('=')[1]! };
const procs = new MarkedProcesses(marker);

const started = performance.now();
const child = spawn('ansible-playbook', ['-i', inventory, playbook, '-f', forks], { env, cwd: env.HOME, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
child.stdout.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-64 * 1024)));
child.stderr.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-64 * 1024)));
let sampling = Promise.resolve();
const timer = setInterval(() => {
  sampling = sampling.then(() => procs.sample().then(() => undefined));
}, 200);
const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
const ms = performance.now() - started;
clearInterval(timer);
await sampling;

// ansible-connection daemons normally end with the play; any left are ours (marked) and go now.
const leftovers = await procs.pids();
for (const pid of leftovers) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

const recap = out.split('\n').filter((l) => /: ok=\d+ +changed=\d+/.test(l));
const failed = recap.filter((l) => !/unreachable=0 +failed=0/.test(l));
reportResult({
  ok: code === 0 && failed.length === 0,
  ms,
  code,
  hosts: recap.length,
  failed: failed.length,
  ...(code !== 0 ? { firstFailure: (out.split('\n').find((l) => /fatal:|ERROR!/.test(l)) ?? `exited with code ${code}`).slice(0, 400) } : {}),
  peakPssBytes: procs.peakPssBytes,
  peakSummedRssBytes: procs.peakRssBytes,
  peakProcesses: procs.peakProcesses,
  processesSeen: procs.seen.size,
  leftovers: leftovers.length,
});
