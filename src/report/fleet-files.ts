import { writeFileAtomic } from './atomic-write.ts';
import type { FleetView } from './fleet-view.ts';
import { renderHtmlReport } from './html-report.ts';

/** Written whole (temp file, fsync, rename): a browser or node_exporter's textfile collector never sees half a file. */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  writeFileAtomic(file, text);
}

export async function writeHtmlReport(file: string, view: FleetView): Promise<void> {
  await writeFileAtomically(file, renderHtmlReport(view));
}
