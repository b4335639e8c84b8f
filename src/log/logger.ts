import { pino, type Logger as PinoLogger } from 'pino';

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

function createJsonLogger(write: (line: string) => void, verbose: boolean): Logger {
  const base: PinoLogger = pino(
    { level: verbose ? 'debug' : 'info', base: { app: 'lethe' }, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'event' },
    { write },
  );
  return {
    debug: (event, fields) => base.debug(fields ?? {}, event),
    info: (event, fields) => base.info(fields ?? {}, event),
    warn: (event, fields) => base.warn(fields ?? {}, event),
    error: (event, fields) => base.error(fields ?? {}, event),
  };
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
