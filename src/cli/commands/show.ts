import type { Command } from 'commander';
import { readPlan } from '../../plan/read.ts';
import { renderPlan, type PlanFormat } from '../../plan/render.ts';
import { UsageError } from '../errors.ts';
import { asUsageError } from '../input-errors.ts';

export function registerShowCommand(program: Command): void {
  program
    .command('show')
    .description('Render a plan for review: Markdown for a change ticket, text for a terminal, or JSON')
    .argument('<plan>', 'plan file written by `runbook plan`')
    .option('--format <format>', 'md, text or json', 'text')
    .action(async (file: string, opts: { format: string }) => {
      if (!['md', 'text', 'json'].includes(opts.format)) throw new UsageError(`--format must be md, text or json, not '${opts.format}'`);
      const plan = await asUsageError(() => readPlan(file));
      process.stdout.write(renderPlan(plan, opts.format as PlanFormat));
    });
}
