/**
 * PostgreSQL error codes, named once, grouped by what Lethe does about them,
 * so retry decisions read like sentences: `if (isRetryable(error))`.
 */
export const SQLSTATE = {
  lockNotAvailable: '55P03',
  queryCanceled: '57014',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  readOnlySqlTransaction: '25006',
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  duplicateDatabase: '42P04',
  duplicateSchema: '42P06',
  duplicateObject: '42710',
  adminShutdown: '57P01',
  crashShutdown: '57P02',
  cannotConnectNow: '57P03',
  invalidCatalogName: '3D000',
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
  syntaxError: '42601',
} as const;

const connectionErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

export function sqlstateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Lost or refused connections: reconnect and resume from the checkpoint. */
export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && connectionErrnos.has(code)) return true;
  const state = sqlstateOf(error);
  if (state?.startsWith('08')) return true;
  if (state === SQLSTATE.adminShutdown || state === SQLSTATE.crashShutdown || state === SQLSTATE.cannotConnectNow) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection is closed|Client has encountered a connection error/i.test(message);
}

/** Contention that goes away if we wait a little and try the batch again. */
export function isContention(error: unknown): boolean {
  const state = sqlstateOf(error);
  return (
    state === SQLSTATE.lockNotAvailable ||
    state === SQLSTATE.serializationFailure ||
    state === SQLSTATE.deadlockDetected
  );
}

export function isStatementTimeout(error: unknown): boolean {
  return sqlstateOf(error) === SQLSTATE.queryCanceled;
}

export function isRetryable(error: unknown): boolean {
  return isContention(error) || isStatementTimeout(error) || isConnectionLost(error);
}

export function isAuthenticationFailure(error: unknown): boolean {
  const state = sqlstateOf(error);
  return state === SQLSTATE.invalidPassword || state === SQLSTATE.invalidAuthorization;
}
