import type { Command } from 'commander';
import { readPlan } from '../../plan/read.ts';
import { renderPlan, type PlanFormat } from '../../plan/render.ts';
import { UsageError } from '../errors.ts';
import { asUsageError } from '../input-errors.ts';
import { viewOfPlan } from '../../report/fleet-view.ts';
import { renderHtmlReport } from '../../report/html-report.ts';

export function registerShowCommand(program: Command): void {
  program
    .command('show')
    .description('Render a plan for review: Markdown for a change ticket, text for a terminal, JSON, or a self-contained HTML page with charts')
    .argument('<plan>', 'plan file written by `runbook plan`')
    .option('--format <format>', 'md, text, json or html', 'text')
    .action(async (file: string, opts: { format: string }) => {
      if (!['md', 'text', 'json', 'html'].includes(opts.format)) throw new UsageError(`--format must be md, text, json or html, not '${opts.format}'`);
      const plan = await asUsageError(() => readPlan(file));
      process.stdout.write(opts.format === 'html' ? renderHtmlReport(viewOfPlan(plan)) : renderPlan(plan, opts.format as PlanFormat));
    });
}
