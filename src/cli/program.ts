import { Command, CommanderError } from 'commander';
import { registerApplyCommand } from './commands/apply.ts';
import { registerLabCommand } from './commands/lab.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { registerPlanCommand } from './commands/plan.ts';
import { registerShowCommand } from './commands/show.ts';
import { registerRpcCommand } from './commands/rpc.ts';
import { registerInventoryCommand } from './commands/inventory.ts';
import { UsageError } from './errors.ts';
import { ExitCode } from './exit-codes.ts';
import { version } from './version.ts';


/** The outline of the program: each command file reads input, calls the core, renders. */
export function buildProgram(): Command {
  const program = new Command('runbook')
    .description('Declarative runbooks for fleets of Juniper SRX firewalls, over NETCONF/SSH')
    .version(version, '--version')
    .showHelpAfterError()
    .exitOverride();
  registerApplyCommand(program);
  registerPlanCommand(program);
  registerShowCommand(program);
  registerValidateCommand(program);
  registerRpcCommand(program);
  registerInventoryCommand(program);
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
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.InvalidInput;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`runbook: ${err.message}\n`);
      return ExitCode.InvalidInput;
    }
    process.stderr.write(`runbook: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return ExitCode.Internal;
  }
}


