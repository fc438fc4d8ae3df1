import { rename, rm, writeFile } from 'node:fs/promises';
import type { FleetView } from './fleet-view.ts';
import { renderHtmlReport } from './html-report.ts';

/**
 * Writes through a temporary file in the same directory and a rename, so a reader (a
 * browser, node_exporter's textfile collector) never sees half a file.
 * (Kept here until src/report's shared atomic-write helper is merged.)
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function writeHtmlReport(file: string, view: FleetView): Promise<void> {
  await writeFileAtomically(file, renderHtmlReport(view));
}
