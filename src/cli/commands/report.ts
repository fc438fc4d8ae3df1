import type { Command } from 'commander';
import { writeHtmlReport } from '../../report/fleet-files.ts';
import { viewOfReport } from '../../report/fleet-view.ts';
import { readReport, ReportFileError } from '../../report/read-report.ts';
import { UsageError } from '../errors.ts';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('Render a JSON run report (apply --report) for people: a self-contained HTML page with charts')
    .argument('<report>', 'JSON report written by `runbook apply --report`')
    .requiredOption('--html <file>', 'write the HTML report here (one file, no network access when opened)')
    .action(async (file: string, opts: { html: string }) => {
      const report = await readReport(file).catch((err: unknown) => {
        throw err instanceof ReportFileError ? new UsageError(err.message) : err;
      });
      await writeHtmlReport(opts.html, viewOfReport(report));
      process.stdout.write(`HTML report written to ${opts.html}\n`);
    });
}
