import { Command, CommanderError, Help } from 'commander';
import { UsageError } from './errors.ts';
import { ExitCode } from './exit-codes.ts';
import { version } from './version.ts';
import { visible } from '../plan/visible.ts';


/** A command as the root's help lists it, and the module that defines it, loaded only when it runs. */
export interface CommandEntry {
  readonly name: string;
  /** The left column of `runbook --help`, as commander would print it for the loaded command. */
  readonly term: string;
  readonly description: string;
  readonly load: () => Promise<(program: Command) => void>;
}

// Each command imports what it needs (the engine, ssh2, the simulator, xml2js, chart.js...):
// loading them all made `runbook --help` read some 250 modules. Only the command named on the
// command line is loaded; the others are listed from here (a unit test compares the two).
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'apply', term: 'apply [options] [playbook]', description: 'Run a playbook: collect, analyze, plan and (unless a dry run) act on every targeted host', load: async () => (await import('./commands/apply.ts')).registerApplyCommand },
  { name: 'plan', term: 'plan [options] <playbook>', description: 'Collect, analyze and plan on every targeted host, send nothing, and write the plan for review', load: async () => (await import('./commands/plan.ts')).registerPlanCommand },
  { name: 'show', term: 'show [options] <plan>', description: 'Render a plan for review: Markdown for a change ticket, text for a terminal, JSON, or a self-contained HTML page with charts', load: async () => (await import('./commands/show.ts')).registerShowCommand },
  { name: 'report', term: 'report [options] <report>', description: 'Render a JSON run report (apply --report) for people: a self-contained HTML page with charts', load: async () => (await import('./commands/report.ts')).registerReportCommand },
  { name: 'validate', term: 'validate <playbook...>', description: 'Check playbooks against the schema and for semantic errors; contacts no device', load: async () => (await import('./commands/validate.ts')).registerValidateCommand },
  { name: 'rpc', term: 'rpc [options] [pattern-or-name] [name]', description: 'Send one RPC to one device, or to the hosts of an inventory that a pattern selects, and print the replies (the ad-hoc command)', load: async () => (await import('./commands/rpc.ts')).registerRpcCommand },
  { name: 'inventory', term: 'inventory [options] [group]', description: 'Show the inventory as runbook reads it, like ansible-inventory: --list, --graph [GROUP] or --host HOST', load: async () => (await import('./commands/inventory.ts')).registerInventoryCommand },
  { name: 'snapshot', term: 'snapshot [options] <playbook>', description: "Run only the playbook's collect steps (read-only RPCs) on each targeted host and save what they collected, one file per host", load: async () => (await import('./commands/snapshot.ts')).registerSnapshotCommand },
  { name: 'check', term: 'check [options] [playbook]', description: "Compare two snapshots offline with the playbook's checks: (exit 0 all passed, 3 a check failed, 2 bad input)", load: async () => (await import('./commands/check.ts')).registerCheckCommand },
  { name: 'restore', term: 'restore [options] <host>', description: 'Put a configuration backup back on one host: lock, load override, show | compare, commit confirmed, verify, commit, unlock', load: async () => (await import('./commands/restore.ts')).registerRestoreCommand },
  { name: 'worker', term: 'worker [options]', description: 'Run host jobs from Redis queues (BullMQ) for coordinators started with --redis; stops cleanly on SIGTERM or Ctrl-C', load: async () => (await import('./commands/worker.ts')).registerWorkerCommand },
  { name: 'queue', term: 'queue', description: 'The Redis queues of distributed rollouts (--redis): jobs and workers per queue', load: async () => (await import('./commands/queue.ts')).registerQueueCommand },
  { name: 'lab', term: 'lab', description: 'Simulated SRX devices: real NETCONF-over-SSH servers on 127.0.0.1', load: async () => (await import('./commands/lab.ts')).registerLabCommand },
];

/**
 * The outline of the program: each command file reads input, calls the core, renders.
 * `loaded` names the commands to define in full (the one on the command line); the others
 * are listed by name and description only.
 */
export async function buildProgram(loaded: ReadonlySet<string> = new Set(COMMANDS.map((c) => c.name))): Promise<Command> {
  const program = new Command('runbook')
    .description('Declarative runbooks for fleets of Juniper SRX firewalls, over NETCONF/SSH')
    .version(version, '--version')
    // A mistyped option is one line and a pointer to --help (main() writes it), not the help itself.
    .configureOutput({ outputError: () => undefined })
    .configureHelp({
      subcommandTerm(this: Help, cmd: Command): string {
        return COMMANDS.find((c) => c.name === cmd.name())?.term ?? Help.prototype.subcommandTerm.call(this, cmd);
      },
    })
    .exitOverride();
  for (const entry of COMMANDS) {
    if (loaded.has(entry.name)) (await entry.load())(program);
    else program.command(entry.name).description(entry.description).action(() => notLoaded(entry.name));
  }
  return program;
}

/** The command a command line runs (or asks help for): its first word, or the word after `help`. */
export function commandNamed(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

function notLoaded(name: string): never {
  throw new Error(`command ${name} ran without being loaded (commandNamed() missed it)`);
}

export async function main(argv: string[]): Promise<number> {
  const named = commandNamed(argv);
  const program = await buildProgram(new Set(named === undefined ? [] : [named]));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      if (err.exitCode === 0) return ExitCode.Ok;
      // No command at all: commander has shown the help, which is the answer.
      if (err.code === 'commander.help') return ExitCode.InvalidInput;
      process.stderr.write(`${usageLine(program, argv, err)}\n`);
      return ExitCode.InvalidInput;
    }
    if (err instanceof UsageError) {
      // Messages quote inventories, plans and devices: no line of theirs may pass as ours.
      process.stderr.write(`runbook: ${err.message.split('\n').map(visible).join('\n')}\n`);
      return ExitCode.InvalidInput;
    }
    process.stderr.write(`runbook: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return ExitCode.Internal;
  }
}

/** "runbook: unknown option '--bogus' (see runbook apply --help)": the error, and where the usage is. */
function usageLine(program: Command, argv: readonly string[], err: CommanderError): string {
  const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*\(Did you mean (.*)\)/, ' (did you mean $1)').replace(/\s*\n\s*/g, ' ');
  const names: string[] = [];
  let command: Command = program;
  for (const word of argv) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) break;
    names.push(word);
    command = sub;
  }
  const help = ['runbook', ...names, '--help'].join(' ');
  return `runbook: ${message} (see ${help})`;
}
