import { CommanderError } from 'commander';
import { isLetheError, LetheError } from '../errors.js';
import { createProcessIO, type CliIO } from './context.js';
import { buildProgram } from './program.js';
import { renderError } from './render-error.js';
import { isServerAway } from '../db/retry-connection.js';

/**
 * The only place that turns outcomes into exit codes. Returns the code rather
 * than exiting, so output streams can drain and tests can call it in-process.
 */
export async function main(argv: string[], io: CliIO = createProcessIO()): Promise<number> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // A second Ctrl-C means "now": the current batch is lost, not half-applied.
      io.writeStderr(`lethe: second ${signal}, exiting immediately\n`);
      process.exit(130);
    }
    io.writeStderr(`lethe: ${signal} received, finishing the current step then stopping\n`);
    controller.abort(new LetheError('STOPPED', `stopped by ${signal}`, { hint: 'run the same command again to resume' }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const state = { exitCode: 0, verbose: argv.includes('--verbose') };
  try {
    const program = buildProgram(io, controller.signal, state);
    await program.parseAsync(argv);
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version are successes; every other parse problem is usage (2).
      return error.exitCode === 0 ? 0 : 2;
    }
    const reported = !isLetheError(error) && isServerAway(error)
      ? new LetheError('DB_UNREACHABLE', `lost the database: ${(error as Error).message}`, { hint: 'committed batches stay committed; run the same command again to resume', cause: error })
      : error;
    io.writeStderr(renderError(reported, state.verbose));
    return isLetheError(reported) ? reported.exitCode : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
