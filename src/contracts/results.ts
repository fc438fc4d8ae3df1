/**
 * Results are plain data: step → host → run. Failures are data too. The same objects
 * feed the terminal, the JSON report and (later) the plan artifact.
 */
import type { BackupRef } from './backup.ts';
import type { HostChecks } from './checks.ts';

/** How a host's run ended. */
export type HostStatus =
  /** Ran to the end; nothing to change. */
  | 'ok'
  /** State-changing RPCs were sent (or, in a dry run, would be: the plan is not empty). */
  | 'changed'
  /** A `require` gate ended the pipeline; `reason` says why. */
  | 'skipped'
  /** Reached, but an RPC, a reply, an expression or an action failed. */
  | 'failed'
  /** Could not connect, authenticate or verify the host key. */
  | 'unreachable';

/** The four phases of a host's pipeline, plus the connection around them. */
export type Phase = 'connect' | 'collect' | 'analyze' | 'plan' | 'act' | 'verify';

/** Where in the life of a session something went wrong. */
export type TransportPhase =
  /** TCP connect or SSH handshake (refused, unreachable, reset). */
  | 'connect'
  /** SSH authentication was rejected. */
  | 'auth'
  /** The server's host key is unknown, revoked or differs from known_hosts. */
  | 'hostkey'
  /** A connect, auth, hello or RPC timer, or an RPC or host deadline, ran out. */
  | 'timeout'
  /** The session closed while a message was expected. */
  | 'closed'
  /** The server broke the NETCONF protocol (framing, hello, message-id). */
  | 'protocol'
  /** A reply was not well-formed XML or ended early. */
  | 'parse'
  /** The server sent more than a configured bound allows (hello or reply size, records, depth, text). */
  | 'limit';

/** What kind of failure a Failure is. */
export type FailureKind =
  /** The session failed in this transport phase (see TransportError): the host is unreachable or the session is gone. */
  | TransportPhase
  /** The device answered with an rpc-error; deviceErrors holds its text. */
  | 'rpc-error'
  /** An expression could not be evaluated. */
  | 'expression'
  /** An RPC's arguments could not be built from the values given. */
  | 'bad-argument'
  /** A reply's value does not fit its table's field type. */
  | 'bad-value'
  /** The playbook, inventory or vars are wrong (normally refused before any host runs). */
  | 'input'
  /** The device refused a configuration change (the lock, a statement, the check or the commit). */
  | 'config'
  /** apply --plan: the device's diff is not the one reviewed. */
  | 'drifted'
  /** The verify after a change failed. */
  | 'verify'
  /** A playbook check failed: a pre check (nothing was sent) or a post check (after a change: rolled back). */
  | 'check'
  /** The audit log cannot be written, so nothing was sent. */
  | 'audit'
  /** The configuration backup could not be read or kept, so nothing was sent. */
  | 'backup'
  /** The run was stopped (SIGINT/SIGTERM) while the host ran. */
  | 'interrupted'
  /** Sent, and no answer came: the device may or may not have done it. */
  | 'unknown'
  /** The distributed queue could not run the job or lost track of it: no worker took it, its worker was lost mid-act, Redis lost it. */
  | 'queue'
  /** A bug or an error no layer has a kind for. */
  | 'internal';

export interface Failure {
  readonly phase: Phase;
  readonly kind: FailureKind;
  readonly message: string;
  /** The step it happened in, when there was one. */
  readonly step?: string;
  /** The device's own error text, for rpc-errors. */
  readonly deviceErrors?: readonly { severity: string; message: string; path?: string; badElement?: string }[];
}

/** One RPC the plan says to send. */
export interface PlannedAction {
  readonly rpc: string;
  readonly args: Readonly<Record<string, string>>;
  /** The Junos CLI command it stands for. */
  readonly cli: string;
  /** False for read-only RPCs; a dry run sends none that change state. */
  readonly changesState: boolean;
  /**
   * Set on a clear planned in its wide form (the playbook said `all: true`): what it does,
   * "clears every IPsec SA on the device". Plans, tickets and the dry run show it.
   */
  readonly wide?: string;
  /**
   * Set on a configuration statement (`set security flow aging early-ageout 20`): the
   * host's statements are loaded together as one change (rpc is load-configuration).
   */
  readonly config?: string;
}

export type ActionStatus =
  /** Sent and answered without error. */
  | 'sent'
  /** Sent; the device answered with an rpc-error or the session failed. */
  | 'failed'
  /** Dry run: not sent. */
  | 'not-sent'
  /** Not sent because an earlier action failed and the playbook says stop. */
  | 'skipped';

export interface ActionResult {
  readonly action: PlannedAction;
  readonly status: ActionStatus;
  readonly error?: Failure;
  /** What the device said back (e.g. sessions cleared). */
  readonly reply?: { readonly cleared?: number; readonly messages: readonly string[]; readonly warnings: readonly string[] };
  readonly ms?: number;
}

/** How a host's configuration change ended. */
export type ConfigResult =
  /** The candidate with the statements loaded equals the running configuration: nothing to commit. */
  | 'unchanged'
  /** Dry run: loaded, compared, `commit check` passed, then discarded. */
  | 'checked'
  /** commit confirmed, verify passed, confirming commit done. */
  | 'committed'
  /** commit confirmed, then verify failed: rolled back to the configuration before it. */
  | 'rolled-back'
  /** apply --plan: the diff is not the one reviewed; discarded. */
  | 'drifted'
  /** The device refused the lock, a statement, the check or the commit, or the session broke. */
  | 'failed';

/** A configuration change on one host: what the device said the change is, and what became of it. */
export interface ConfigOutcome {
  readonly statements: readonly string[];
  /** The `show | compare` text (candidate against the running configuration); '' when there is no difference. */
  readonly diff: string;
  readonly result: ConfigResult;
  /** Minutes of the commit confirmed, when one was made. */
  readonly confirmMinutes?: number;
  /** Why it was not committed: the device's error, the failed verify, the drift. */
  readonly reason?: string;
  /** Warning-severity rpc-errors the device returned (e.g. "statement not found" for a delete). */
  readonly warnings: readonly string[];
  /** Each configuration operation sent, in order ("lock", "load set (3 statements)", "commit check", ...). */
  readonly trail: readonly string[];
}

export interface StepOutcome {
  readonly index: number;
  readonly name: string;
  readonly kind: 'collect' | 'analyze' | 'plan' | 'act';
  readonly status: 'done' | 'skipped' | 'failed';
  /** Items a collect read, records an analyze produced, actions a plan made. */
  readonly count?: number;
  readonly ms: number;
}

export interface LogEntry {
  readonly level: number;
  readonly text: string;
  readonly step?: string;
}

export interface HostResult {
  readonly host: string;
  readonly status: HostStatus;
  /** Why a host was skipped, in a sentence. */
  readonly reason?: string;
  readonly error?: Failure;
  /** Connect attempts made, the first included; present when the run retries connects. */
  readonly connectAttempts?: number;
  readonly vars: Readonly<Record<string, string | number | boolean>>;
  readonly dryRun: boolean;
  /** Counts of each collect, and the named evidence of the analyze steps that ran and of the plan. */
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly plan: readonly PlannedAction[];
  readonly actions: readonly ActionResult[];
  /** The configuration change, when the plan had configuration statements. */
  readonly config?: ConfigOutcome;
  /** The running configuration kept before the first state-changing RPC (not in a dry run). */
  readonly backup?: BackupRef;
  /** After-act counts of re-run collect steps, by register name. */
  readonly verify?: Readonly<Record<string, { before: number; after: number }>>;
  /** The playbook's checks: pre before acting, post after; absent when none ran. */
  readonly checks?: HostChecks;
  readonly steps: readonly StepOutcome[];
  readonly log: readonly LogEntry[];
  readonly startedAt: string;
  readonly ms: number;
}

export type RecapCounts = Record<HostStatus, number>;

/**
 * The hosts' results of a run, in the order the hosts were given: an array (a report read
 * back, a run held in memory) or a spool on disk read back one host at a time (the CLI's
 * runs, so a 20,000-host rollout holds no host's whole result once it is done). Read it
 * with for...of; each pass reads the spool again.
 */
export interface HostResults extends Iterable<HostResult> {
  readonly length: number;
}

/** Keeps each host's result as it finishes, by the host's index in the run; `hosts()` gives them back in index order. */
export interface HostResultStore<T extends HostResults = HostResults> {
  put(index: number, result: HostResult): void;
  hosts(): T;
}

/**
 * A run's result. `H` is how the hosts' results are held: an array by default (the JSON
 * report's form, a library run), HostResults for the CLI's runs, whose outputs read them
 * host by host.
 */
export interface RunResult<H extends HostResults = readonly HostResult[]> {
  readonly playbook: { readonly file: string; readonly name: string; readonly sha256: string };
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** True when the run was stopped (SIGINT/SIGTERM) before every host finished. */
  readonly interrupted: boolean;
  readonly hosts: H;
  /** Hosts that were targeted but never started: the run was interrupted or stopped by its failure budget. */
  readonly notRun: readonly string[];
  readonly recap: RecapCounts;
  /**
   * The batch plan: host names per batch, in run order (one batch when serial is not set).
   * runPlaybook always sets it; optional only until apply's partialRun (second Ctrl-C) does too.
   */
  readonly batches?: readonly (readonly string[])[];
  /** Set when the failure policy (max_fail_percentage, any_errors_fatal, a wholly failed batch) stopped the run; afterBatch is 1-based. */
  readonly stopped?: { readonly reason: string; readonly afterBatch: number };
}

/** A run whose hosts' results may be on disk: what the CLI's outputs take. */
export type StreamedRun = RunResult<HostResults>;

export function recapOf(hosts: Iterable<{ readonly status: HostStatus }>): RecapCounts {
  const r: RecapCounts = { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0 };
  for (const h of hosts) r[h.status]++;
  return r;
}

/** Results held in memory, for a run whose results are few or wanted as an array (runPlaybook, tests). */
export function memoryResults(): HostResultStore<readonly HostResult[]> {
  const byIndex: (HostResult | undefined)[] = [];
  return {
    put: (index, result) => void (byIndex[index] = result),
    hosts: () => byIndex.filter((r): r is HostResult => r !== undefined),
  };
}
