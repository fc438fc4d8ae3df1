import type { Command } from 'commander';
import { loadPlaybook } from '../../playbook/load.ts';
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
          if (!(err instanceof Error) || err.name !== 'PlaybookError') throw err;
          bad++;
          process.stderr.write(((err as Error & { format?: () => string }).format?.() ?? err.message) + '\n');
        }
      }
      process.exitCode = bad > 0 ? ExitCode.InvalidInput : ExitCode.Ok;
    });
}
