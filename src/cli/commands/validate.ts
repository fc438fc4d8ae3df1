import type { Command } from 'commander';
import { loadPlaybook } from '../../playbook/load.ts';
import { PlaybookError } from '../../playbook/errors.ts';
import { ExitCode } from '../exit-codes.ts';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('Check playbooks against the schema and for semantic errors; contacts no device')
    .argument('<playbook...>', 'playbook files')
    .action(async (files: string[]) => {
      let bad = 0;
      for (const file of files) {
        try {
          const p = await loadPlaybook(file);
          process.stdout.write(`${file}: ok (${p.steps.length} steps, vars: ${p.vars.map((v) => v.name).join(', ') || 'none'})\n`);
        } catch (err) {
          if (!(err instanceof PlaybookError)) throw err;
          bad++;
          process.stderr.write(err.format() + '\n');
        }
      }
      process.exitCode = bad > 0 ? ExitCode.InvalidInput : ExitCode.Ok;
    });
}
