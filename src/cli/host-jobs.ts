/**
 * Where the CLI turns its resolved targets into host jobs (engine/job.ts): plain data, the
 * secrets it read (passwords, vault values, keys) held here in memory and named in the
 * jobs by reference only, and the ports that run them on this machine.
 */
import { keyFileCache, type KeyFileReader } from '../inventory/connection.ts';
import type { PlannedHost } from '../contracts/planned-host.ts';
import { SecretUnavailableError, type SecretRef, type SecretsPort } from '../contracts/secrets.ts';
import type { RpcSession } from '../contracts/session.ts';
import type { FleetPorts } from '../engine/executor.ts';
import type { HostJob } from '../engine/job.ts';
import type { RunIds } from '../contracts/run-ids.ts';
import { PlaybookCache, playbookRef } from '../engine/playbook-source.ts';
import type { RetrySpec } from '../engine/retry.ts';
import { withRedactedForms } from '../inventory/redacted-options.ts';
import type { Playbook } from '../playbook/types.ts';
import { connectOptionsOf, type ConnectionSettings } from '../transport/connection-settings.ts';
import type { ConnectOptions } from '../transport/options.ts';
import { startInventoryLab, type InProcessLab } from './lab-wiring.ts';
import { layeredSettings, type Targets, type TimeoutLayers } from './targets.ts';

/** Secrets this process read, by id; environment variables and files are read when asked. */
export class HeldSecrets implements SecretsPort {
  private readonly values = new Map<string, string | Uint8Array>();

  /** `readFile`: the run's key file reader (inventory/connection.ts keyFileCache), shared with target resolution. */
  constructor(private readonly readFile: KeyFileReader = keyFileCache()) {}

  /** Holds a value; the reference names the host and the field, never the value. */
  hold(id: string, value: string | Uint8Array): SecretRef {
    this.values.set(id, value);
    return { secret: id };
  }

  async resolve(ref: SecretRef): Promise<string | Uint8Array> {
    if ('secret' in ref) {
      const value = this.values.get(ref.secret);
      if (value === undefined) throw new SecretUnavailableError(ref, 'this process holds no such secret');
      return value;
    }
    if ('env' in ref) {
      const value = process.env[ref.env];
      if (value === undefined || value === '') throw new SecretUnavailableError(ref, 'it is not set');
      return value;
    }
    // One read per file per run: every host naming the key gets the same Buffer, so its
    // parsed form is cached once (transport/client-key.ts) instead of parsed per host.
    try {
      return await this.readFile(ref.file);
    } catch (err) {
      throw new SecretUnavailableError(ref, (err as NodeJS.ErrnoException).code ?? String(err));
    }
  }
}

/** The session opener on this machine: NETCONF over SSH, its settings' secrets resolved just before connecting. */
export async function openNetconf(settings: ConnectionSettings, secrets: SecretsPort): Promise<RpcSession> {
  // ssh2 is loaded at the first connection: `--list-hosts` and input errors never need it.
  const { NetconfSession } = await import('../transport/session.ts');
  return NetconfSession.connect(withRedactedForms(await connectOptionsOf(settings, secrets)));
}

/** The ports a CLI run gives its jobs: the playbook it already loaded, its held secrets, NETCONF. */
export function localPorts(playbook: Playbook, secrets: SecretsPort): FleetPorts {
  return { openSession: openNetconf, secrets, playbooks: new PlaybookCache().add(playbook) };
}

export interface JobSettings {
  readonly dryRun: (vars: Record<string, string | number | boolean>) => boolean;
  /** The run id and ticket: each job carries them into its commit comments. */
  readonly ids?: RunIds;
  readonly timeouts: TimeoutLayers;
  readonly retries?: RetrySpec;
  /** apply --plan: each host's job carries its entry (null when the plan has none). */
  readonly reviewed?: readonly PlannedHost[];
}

/**
 * Starts lab hosts (if any: they are reached like any device, on 127.0.0.1 ports) and
 * makes each target's job. Timeouts, deadlines and bounds: playbook, then the inventory's
 * runbook_* variables, then the command line (layeredSettings).
 */
export async function hostJobs(targets: Targets, playbook: Playbook, settings: JobSettings): Promise<{ jobs: HostJob[]; secrets: HeldSecrets; lab: InProcessLab | undefined }> {
  const lab = await startInventoryLab(targets.hosts.map((t) => t.host));
  const secrets = new HeldSecrets(targets.readKeyFile);
  const ref = playbookRef(playbook);
  const reviewed = settings.reviewed ? new Map(settings.reviewed.map((h) => [h.host, h])) : undefined;
  const jobs = targets.hosts.map(({ host, vars }): HostJob => {
    const { options, deadlineMs } = layeredSettings(lab?.connections.get(host.name) ?? targets.connections.get(host.name)!, host, settings.timeouts);
    return {
      playbook: ref,
      host: { name: host.name, groups: host.groups, vars },
      connection: connectionSettings(host.name, options, secrets),
      dryRun: settings.dryRun(vars),
      ...(settings.ids ? { ids: settings.ids } : {}),
      deadlineMs,
      ...(settings.retries ? { connectRetry: settings.retries } : {}),
      ...(reviewed ? { reviewed: { entry: reviewed.get(host.name) ?? null } } : {}),
    };
  });
  return { jobs, secrets, lab };
}

const SECRET_FIELDS = new Set(['password', 'privateKey', 'passphrase', 'jumps', 'secretSources']);

/**
 * ConnectOptions as data. A secret read from an environment variable or a key file is
 * named by that (a runner elsewhere reads its own); any other (a vault-decrypted password,
 * the lab's key) is held in `secrets` and named by an id.
 */
export function connectionSettings(host: string, options: ConnectOptions, secrets: HeldSecrets): ConnectionSettings {
  const settings: Record<string, unknown> = {};
  // for..in: layeredSettings keeps the inventory's options on the prototype (for their redacted string forms).
  for (const key in options) if (!SECRET_FIELDS.has(key)) settings[key] = options[key as keyof ConnectOptions];
  const sources = options.secretSources ?? {};
  const held = (field: 'password' | 'privateKey' | 'passphrase', value: string | Uint8Array | undefined, id: string, source: SecretRef | undefined) =>
    value === undefined ? {} : { [field]: source ?? secrets.hold(id, value) };
  return {
    ...(settings as Omit<ConnectionSettings, 'password' | 'privateKey' | 'passphrase' | 'jumps'>),
    ...held('password', options.password, `${host}/password`, sources.password),
    ...held('privateKey', options.privateKey, `${host}/privateKey`, sources.privateKey),
    ...held('passphrase', options.passphrase, `${host}/passphrase`, sources.passphrase),
    ...(options.jumps
      ? {
          jumps: options.jumps.map(({ privateKey, passphrase, ...jump }, i) => ({
            ...jump,
            ...held('privateKey', privateKey, `${host}/jump${i + 1}/privateKey`, sources.jumps?.[i]?.privateKey),
            ...held('passphrase', passphrase, `${host}/jump${i + 1}/passphrase`, undefined),
          })),
        }
      : {}),
  };
}
