/**
 * The one error type Lethe throws on purpose. The code is stable (scripts and
 * tests match on it); the message is for the person at the terminal; the hint
 * says what to do next; the cause is shown only with --verbose.
 */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'RULES_INVALID'
  | 'RULES_NOT_FOUND'
  | 'SCHEMA_MISMATCH'
  /** The database role lacks a privilege the rules need; the message names the GRANT. */
  | 'PRIVILEGE_MISSING'
  | 'DB_UNREACHABLE'
  | 'DB_NOT_CONFIGURED'
  | 'SQL_FAILED'
  | 'READ_ONLY_VIOLATION'
  | 'STOPPED'
  | 'OVERDUE'
  | 'SAFETY_GUARD'
  | 'RUN_LOCKED'
  | 'CHECKPOINT_MISMATCH'
  | 'PSEUDONYM_KEY_MISSING'
  /** A run left rows unchanged because a value broke the strategy; the report names them by key. */
  | 'ROWS_FAILED'
  | 'EMBEDDED_POSTGRES_FAILED'
  | 'INTERNAL';

/** Exit codes are a contract (README, DESIGN.md): only the CLI's top level applies them. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  CONFIG_INVALID: 2,
  RULES_INVALID: 2,
  RULES_NOT_FOUND: 2,
  SCHEMA_MISMATCH: 2,
  PRIVILEGE_MISSING: 2,
  DB_NOT_CONFIGURED: 2,
  PSEUDONYM_KEY_MISSING: 2,
  READ_ONLY_VIOLATION: 2,
  DB_UNREACHABLE: 1,
  SQL_FAILED: 1,
  ROWS_FAILED: 1,
  EMBEDDED_POSTGRES_FAILED: 1,
  INTERNAL: 1,
  STOPPED: 3,
  OVERDUE: 4,
  SAFETY_GUARD: 4,
  CHECKPOINT_MISMATCH: 4,
  RUN_LOCKED: 5,
};

export interface LetheErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Extra lines printed under the message (e.g. one line per rule problem). */
  details?: string[];
  /** The SQL that failed, for --verbose with a caret under the server's position. */
  sql?: string;
}

export class LetheError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: string[];
  readonly sql: string | undefined;

  constructor(code: ErrorCode, message: string, options: LetheErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LetheError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? [];
    this.sql = options.sql;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isLetheError(error: unknown): error is LetheError {
  return error instanceof LetheError;
}
