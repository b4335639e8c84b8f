import { once } from 'node:events';
import { LetheError } from '../errors.js';
import { createInterface } from 'node:readline/promises';
import type { LogFormat, Logger } from '../log/logger.js';
import { createProgress, type Progress } from './progress.js';

/** Everything a command may touch of the outside world, so tests can replace it. */
export interface CliIO {
  writeStdout(text: string): void;
  writeStderr(text: string): void;
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
  stderrColumns: number | undefined;
  ask(question: string): Promise<boolean>;
  /** Resolves once stdout has taken what was written (a pipe read slowly): long outputs stay bounded in memory. */
  drainStdout?(): Promise<void>;
}

export interface GlobalOptions {
  db: string | undefined;
  rules: string;
  verbose: boolean;
  progress: boolean;
  logFormat: LogFormat;
}

export interface CommandContext {
  io: CliIO;
  globals: GlobalOptions;
  logger: Logger;
  createProgress(): Progress;
  /** Aborted on SIGINT/SIGTERM: long commands stop at the next safe point. */
  signal: AbortSignal;
}

export function createProcessIO(): CliIO {
  // A reader that goes away (`lethe export ... | head`) closes the pipe: noted here, reported by
  // the next drain as one line, instead of an unhandled EPIPE with a stack trace.
  let stdoutClosed: Error | undefined;
  process.stdout.on('error', (error) => (stdoutClosed ??= error));
  return {
    writeStdout: (text) => process.stdout.write(text),
    writeStderr: (text) => process.stderr.write(text),
    env: process.env,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stderrColumns: process.stderr.columns,
    drainStdout: async () => {
      if (!stdoutClosed && process.stdout.writableNeedDrain) await Promise.race([once(process.stdout, 'drain'), once(process.stdout, 'error')]);
      if (stdoutClosed) throw new LetheError('STOPPED', `stdout was closed by its reader (${(stdoutClosed as NodeJS.ErrnoException).code ?? stdoutClosed.message})`, { hint: 'write a large export with --out FILE' });
    },
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
}

export function buildContext(io: CliIO, globals: GlobalOptions, logger: Logger, signal: AbortSignal): CommandContext {
  return {
    io,
    globals,
    logger,
    signal,
    createProgress: () =>
      createProgress(
        { enabled: globals.progress, isTTY: io.stderrIsTTY, columns: io.stderrColumns, ci: Boolean(io.env.CI) },
        logger,
      ),
  };
}
