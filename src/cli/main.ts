import { ExitCode } from './exit-codes.ts';
import { main } from './program.ts';

// A reader that goes away (`runbook rpc ... | head`) is not an error worth a stack trace;
// during a run it is an interrupt (the report and audit log are still written).
// EIO: the terminal is gone (closed window, or npx exited on Ctrl-C and took it along).
// run-control (and listr2 with it) is loaded here only when needed: `--help` must start fast,
// and during a run the command has loaded it already.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE' || err.code === 'EIO') return void import('./run-control.ts').then((m) => m.outputClosed());
  throw err;
});
// Messages to a closed stderr (`2>&1 | head`) or a gone terminal are lost; the run goes on to write its files.
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE' && err.code !== 'EIO') throw err;
});

process.exitCode = await main(process.argv.slice(2));
// A run that ended in an error must end the process, whatever it left open (a lab's
// listening servers, a half-made connection): a scheduled job must not hang on it.
if (process.exitCode === ExitCode.InvalidInput || process.exitCode === ExitCode.Internal) process.exit(process.exitCode);
