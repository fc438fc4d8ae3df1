import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabBackend } from '../../src/lab/backend.ts';
import { Lab, LAB_PASSWORD, LAB_USER, type LabHostSpec } from '../../src/lab/lab.ts';
import type { ConnectOptions } from '../../src/transport/options.ts';

/** Starts lab devices on ephemeral loopback ports in a fresh temp dir. */
export async function startLab(hosts: readonly LabHostSpec[]): Promise<Lab & { cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-lab-'));
  const lab = await Lab.start({ hosts, dir, backend: createLabBackend });
  return Object.assign(lab, {
    async cleanup() {
      await lab.stop();
      await rm(dir, { recursive: true, force: true });
    },
  });
}

/** Connection settings for one lab host with the lab password. */
export function labConnect(lab: Lab, name: string, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  const h = lab.host(name);
  return {
    name,
    address: h.address,
    port: h.port,
    username: LAB_USER,
    password: LAB_PASSWORD,
    knownHostsFile: lab.knownHostsFile,
    connectTimeoutMs: 10_000,
    rpcTimeoutMs: 30_000,
    ...extra,
  };
}
