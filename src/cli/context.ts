import { once } from 'node:events';
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
  return {
    writeStdout: (text) => process.stdout.write(text),
    writeStderr: (text) => process.stderr.write(text),
    env: process.env,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stderrColumns: process.stderr.columns,
    drainStdout: async () => {
      if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
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
