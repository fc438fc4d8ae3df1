import { main } from './program.ts';
import { outputClosed } from './run-control.ts';

// A reader that goes away (`runbook rpc ... | head`) is not an error worth a stack trace;
// during a run it is an interrupt (the report and audit log are still written).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') return outputClosed();
  throw err;
});
// Messages to a closed stderr (`2>&1 | head`) are lost; the run goes on to write its files.
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

process.exitCode = await main(process.argv.slice(2));
