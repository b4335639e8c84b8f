import { isLetheError } from '../errors.js';
import { sqlstateOf } from './sqlstate.js';

/** The fields of a server error Lethe may repeat: names and codes, never values. */
interface ServerErrorFields {
  code?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  detail?: string;
  where?: string;
  hint?: string;
}

export interface ErrorContext {
  /** The column whose new value failed, when Lethe knows it (e.g. found while isolating a row). */
  column?: string | undefined;
}

/**
 * Redacts a server text of the values it quotes: `"..."` and `'...'` are kept
 * only when they are names the server reported (table, column, constraint,
 * type); `Key (email)=(...)` and `Failing row contains (...)` lose their values.
 */
export function redactServerText(text: string, names: readonly string[] = []): string {
  const known = new Set(names.filter((name) => name.length > 0));
  return text
    .replace(/\)=\((?:[^()]|\([^()]*\))*\)/g, ')=(…)')
    .replace(/(Failing row contains )\(.*\)/gs, '$1(…)')
    .replace(/"((?:[^"]|"")*)"/g, (whole, inner: string) => (known.has(inner.replace(/""/g, '"')) ? whole : '"…"'))
    .replace(/'((?:[^']|'')*)'/g, (whole, inner: string) => (known.has(inner.replace(/''/g, "'")) ? whole : "'…'"));
}

/**
 * The one description of an error that may reach a person or a record (stderr,
 * --verbose, reports, Lethe's tables, metrics). A server error is described by
 * its message with quoted values removed (a trailing `: "value"` is dropped
 * whole, so `invalid input syntax for type inet: "…"` reads `invalid input
 * syntax for type inet in column ip`), the column and constraint, and the
 * SQLSTATE. Lethe's own errors are built from names already.
 */
export function describeError(error: unknown, context: ErrorContext = {}): string {
  if (isLetheError(error)) return error.message;
  const state = sqlstateOf(error);
  if (!state) return redactServerText(error instanceof Error ? error.message : String(error));
  const fields = error as ServerErrorFields;
  const names = [fields.schema, fields.table, fields.column, fields.dataType, fields.constraint, context.column].filter((name): name is string => Boolean(name));
  const raw = (error as Error).message;
  // Class 42 (syntax, undefined or mismatched objects) quotes names from the statement, never table values.
  const message = state.startsWith('42') ? raw : redactServerText(raw.replace(/:\s*(".*"|'.*')\s*$/s, ''), names);
  const column = context.column ?? fields.column;
  const parts = [message];
  if (column && !message.includes(`"${column}"`)) parts.push(`in column ${column}`);
  if (fields.constraint && !message.includes(`"${fields.constraint}"`)) parts.push(`(constraint ${fields.constraint})`);
  return `${parts.join(' ')} [SQLSTATE ${state}]`;
}

/** A text the server attached to the error (DETAIL, HINT, CONTEXT), redacted like its message. */
export function describeServerText(error: unknown, text: string): string {
  const state = sqlstateOf(error);
  if (state?.startsWith('42')) return text;
  const fields = (error ?? {}) as ServerErrorFields;
  const names = [fields.schema, fields.table, fields.column, fields.dataType, fields.constraint].filter((name): name is string => Boolean(name));
  return redactServerText(text, names);
}

/** The server's DETAIL, WHERE and HINT for --verbose, redacted the same way. */
export function describeServerDetails(error: unknown): string[] {
  if (!sqlstateOf(error)) return [];
  const fields = error as ServerErrorFields;
  const lines: string[] = [];
  if (fields.detail) lines.push(`detail: ${describeServerText(error, fields.detail)}`);
  if (fields.hint) lines.push(`server hint: ${describeServerText(error, fields.hint)}`);
  if (fields.where) lines.push(`where: ${describeServerText(error, fields.where)}`);
  return lines;
}
