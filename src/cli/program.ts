import { Command, CommanderError } from 'commander';
import { registerApplyCommand } from './commands/apply.ts';
import { registerLabCommand } from './commands/lab.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { registerPlanCommand } from './commands/plan.ts';
import { registerShowCommand } from './commands/show.ts';
import { registerRpcCommand } from './commands/rpc.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerInventoryCommand } from './commands/inventory.ts';
import { registerSnapshotCommand } from './commands/snapshot.ts';
import { registerCheckCommand } from './commands/check.ts';
import { registerRestoreCommand } from './commands/restore.ts';
import { UsageError } from './errors.ts';
import { ExitCode } from './exit-codes.ts';
import { version } from './version.ts';
import { visible } from '../plan/visible.ts';


/** The outline of the program: each command file reads input, calls the core, renders. */
export function buildProgram(): Command {
  const program = new Command('runbook')
    .description('Declarative runbooks for fleets of Juniper SRX firewalls, over NETCONF/SSH')
    .version(version, '--version')
    // A mistyped option is one line and a pointer to --help (main() writes it), not the help itself.
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  registerApplyCommand(program);
  registerPlanCommand(program);
  registerShowCommand(program);
  registerReportCommand(program);
  registerValidateCommand(program);
  registerRpcCommand(program);
  registerInventoryCommand(program);
  registerSnapshotCommand(program);
  registerCheckCommand(program);
  registerRestoreCommand(program);
  registerLabCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
