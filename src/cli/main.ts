import { ExitCode } from './exit-codes.ts';
import { main } from './program.ts';

// A reader that goes away (`runbook rpc ... | head`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
// A run that ended in an error must end the process, whatever it left open (a lab's
// listening servers, a half-made connection): a scheduled job must not hang on it.
if (process.exitCode === ExitCode.InvalidInput || process.exitCode === ExitCode.Internal) process.exit(process.exitCode);
