import type { Knex } from 'knex';
import { LetheError } from '../errors.js';
import { redactUrl } from './redact-url.js';
import { isAuthenticationFailure, isConnectionLost, sqlstateOf, SQLSTATE } from './sqlstate.js';

export type Db = Knex;

/**
 * Fragments are checked by a parser that lexes strings as standard_conforming_strings = on;
 * with it off, `'a\\' OR ...'` would end the string elsewhere on the server. Every session
 * Lethe opens uses the parser's setting.
 */
export const SESSION_OPTIONS = '-c standard_conforming_strings=on -c TimeZone=UTC';

/**
 * Said again as statements once a session is open, because `options` in the
 * user's URL replaces the startup options above. TimeZone = UTC: every cutoff,
 * selection, count and report is computed in one setting, whatever the server,
 * database or role default (a date or timestamp clock is read in the rule's
 * `timezone` by the statement builders, not by the session).
 */
export const SESSION_SETUP = "SET standard_conforming_strings = on; SET TimeZone = 'UTC'";

export interface ConnectOptions {
  url: string;
  /** Shown in pg_stat_activity, so an operator can see who holds a lock. */
  applicationName?: string;
  maxConnections?: number;
}

/** Opens a pool and proves the server answers, turning failures into one clear LetheError. */
export async function connect(options: ConnectOptions): Promise<Db> {
  // Loaded on first use: commands that never connect (validate, schedule, --help) start without it.
  const { default: knex } = await import('knex');
  const db = knex({
    client: 'pg',
    connection: {
      connectionString: options.url,
      application_name: options.applicationName ?? 'lethe',
      connectionTimeoutMillis: 10_000,
      options: SESSION_OPTIONS,
    },
    pool: {
      min: 0,
      max: options.maxConnections ?? 4,
      afterCreate: (connection: { query(sql: string, done: (error: Error | null) => void): void }, done: (error: Error | null, connection: unknown) => void) =>
        connection.query(SESSION_SETUP, (error) => done(error, connection)),
    },
    acquireConnectionTimeout: 15_000,
    // knex would print its own stack traces on stderr; failures reach the user as one LetheError.
    log: { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined },
  });
  try {
    await db.raw('select 1');
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw toConnectError(error, options.url);
  }
  return db;
}

export function toConnectError(error: unknown, url: string): LetheError {
  const where = redactUrl(url);
  if (isAuthenticationFailure(error)) {
    return new LetheError('DB_UNREACHABLE', `authentication failed for ${where}`, {
      hint: 'check the user and password in --db or DATABASE_URL',
      cause: error,
    });
  }
  if (sqlstateOf(error) === SQLSTATE.invalidCatalogName) {
    return new LetheError('DB_UNREACHABLE', `database does not exist: ${where}`, {
      hint: 'create it first, or point --db at an existing database',
      cause: error,
    });
  }
  if (isConnectionLost(error) || /timeout/i.test(String((error as Error)?.message))) {
    return new LetheError('DB_UNREACHABLE', `cannot connect to ${where}`, {
      hint: 'is the server running and reachable? check --db or DATABASE_URL',
      cause: error,
    });
  }
  return new LetheError('DB_UNREACHABLE', `cannot connect to ${where}: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

/** Validates a URL given by the user before anything tries to use it. */
export function parseDatabaseUrl(url: string | undefined, flag = '--db'): string {
  if (!url) {
    throw new LetheError('DB_NOT_CONFIGURED', 'no database given', {
      hint: `pass ${flag} postgres://user@host:5432/db or set DATABASE_URL`,
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LetheError('USAGE', `${flag}: not a valid URL: ${redactUrl(url)}`, {
      hint: 'expected postgres://user:password@host:5432/database',
    });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new LetheError('USAGE', `${flag}: expected a postgres:// URL, got ${parsed.protocol}//`, {
      hint: 'expected postgres://user:password@host:5432/database',
    });
  }
  return url;
}
