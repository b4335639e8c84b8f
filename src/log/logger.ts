import { createRequire } from 'node:module';
import type { Logger as PinoLogger, pino } from 'pino';

type PinoFactory = typeof pino;

export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, unknown>;

/** Structured events on stderr; stdout is reserved for results. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  format: LogFormat;
  verbose: boolean;
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  return options.format === 'json' ? createJsonLogger(write, options.verbose) : createPrettyLogger(write, options.verbose);
}

/**
 * JSON lines through pino, loaded with the first line rather than at start: commands that log
 * nothing (`--help`, `validate`) never pay for it. pino stays outside the bundle and is required
 * from node_modules at that moment, synchronously, so no line is ever reordered or lost.
 */
function createJsonLogger(write: (line: string) => void, verbose: boolean): Logger {
  let base: PinoLogger | undefined;
  const logger = (): PinoLogger =>
    (base ??= loadPino()(
      {
        level: verbose ? 'debug' : 'info',
        base: { app: 'lethe' },
        timestamp: () => `,"time":"${new Date().toISOString()}"`,
        messageKey: 'event',
        // Errors in fields are written by name and message, never with a stack of values.
        serializers: { error: describeError, cause: describeError },
      },
      { write },
    ));
  return {
    debug: (event, fields) => {
      if (verbose) logger().debug(fields ?? {}, event);
    },
    info: (event, fields) => logger().info(fields ?? {}, event),
    warn: (event, fields) => logger().warn(fields ?? {}, event),
    error: (event, fields) => logger().error(fields ?? {}, event),
  };
}

function loadPino(): PinoFactory {
  return (createRequire(import.meta.url)('pino') as { pino: PinoFactory }).pino;
}

function describeError(value: unknown): unknown {
  return value instanceof Error ? { type: value.name, message: value.message } : value;
}

function createPrettyLogger(write: (line: string) => void, verbose: boolean): Logger {
  const emit = (level: string, event: string, fields?: LogFields) => {
    const extra = Object.entries(fields ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    write(`${level === 'info' ? '' : `${level}: `}${event}${extra ? ` ${extra}` : ''}\n`);
  };
  return {
    debug: (event, fields) => {
      if (verbose) emit('debug', event, fields);
    },
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
