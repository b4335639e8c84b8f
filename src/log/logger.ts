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

/** pino's numeric levels, so existing log pipelines keep filtering the same way. */
const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/**
 * One JSON object per line, in pino's shape (`level`, `time`, `app`, the fields, `event`),
 * written synchronously. A logger library would cost more to load than the CLI's own start.
 */
function createJsonLogger(write: (line: string) => void, verbose: boolean): Logger {
  const emit = (level: keyof typeof LEVELS, event: string, fields?: LogFields) =>
    write(`${serializeLine({ level: LEVELS[level], time: new Date().toISOString(), app: 'lethe', ...fields, event })}\n`);
  return {
    debug: (event, fields) => {
      if (verbose) emit('debug', event, fields);
    },
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

/** JSON that never throws: bigints as strings, errors by name and message, cycles cut. */
export function serializeLine(record: LogFields): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return { type: value.name, message: value.message };
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  });
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
