import { Command, Option } from 'commander';
import { createLogger, type LogFormat } from '../log/logger.js';
import { readPackageVersion } from './package-version.js';
import { buildContext, type CliIO, type CommandContext, type GlobalOptions } from './context.js';
import { registerCommands } from './commands/index.js';
import { HELP_EXAMPLES, renderHelpExamples } from './help-examples.js';

export type CommandHandler<O> = (ctx: CommandContext, options: O) => Promise<number>;
export type ActionFactory = <O>(handler: CommandHandler<O>) => (...args: unknown[]) => Promise<void>;

interface ProgramState {
  exitCode: number;
  verbose: boolean;
}

/** Commander wiring only: commands, flags and help text. Logic lives in the handlers. */
export function buildProgram(io: CliIO, signal: AbortSignal, state: ProgramState): Command {
  const program = new Command('lethe')
    .description("Keeps a privacy policy's retention promises inside PostgreSQL.")
    .version(readPackageVersion(), '-V, --version')
    .option('--db <url>', 'database URL (default: $DATABASE_URL)')
    .option('--rules <dir>', 'rule folder or file', './rules')
    .option('--verbose', 'show causes, server details and failing SQL', false)
    .option('--no-progress', 'never show a spinner')
    .addOption(new Option('--log-format <format>', 'log lines on stderr').choices(['json', 'pretty']))
    .showHelpAfterError('(run lethe --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.writeStdout(text),
      writeErr: (text) => io.writeStderr(text),
    });

  const action: ActionFactory = (handler) => async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.optsWithGlobals();
    const globals = resolveGlobals(options, io);
    state.verbose = globals.verbose;
    const logger = createLogger({ format: globals.logFormat, verbose: globals.verbose, write: (line) => io.writeStderr(line) });
    state.exitCode = await handler(buildContext(io, globals, logger, signal), options as never);
  };

  registerCommands(program, action);
  for (const command of program.commands) {
    const examples = HELP_EXAMPLES[command.name()];
    // `lethe run --help` and `lethe help run` both print the command's help, so both end with these.
    if (examples) command.addHelpText('after', renderHelpExamples(examples));
    command.exitOverride().configureOutput({
      writeOut: (text) => io.writeStdout(text),
      writeErr: (text) => io.writeStderr(text),
    });
  }
  return program;
}

/** Flags over environment over defaults, resolved once; nothing downstream reads process.env for these. */
export function resolveGlobals(options: Record<string, unknown>, io: CliIO): GlobalOptions {
  const logFormat: LogFormat = (options.logFormat as LogFormat | undefined) ?? (io.stderrIsTTY ? 'pretty' : 'json');
  return {
    db: (options.db as string | undefined) ?? (io.env.DATABASE_URL || undefined),
    rules: (options.rules as string | undefined) ?? './rules',
    verbose: Boolean(options.verbose),
    progress: options.progress !== false,
    logFormat,
  };
}
