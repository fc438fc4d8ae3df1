import { writeFileAtomic } from './atomic-write.ts';
import type { FleetView } from './fleet-view.ts';
import { renderHtmlReport } from './html-report.ts';

/** Written whole (temp file, fsync, rename): a browser never sees half a file. */
export async function writeHtmlReport(file: string, view: FleetView): Promise<void> {
  writeFileAtomic(file, renderHtmlReport(view));
}
