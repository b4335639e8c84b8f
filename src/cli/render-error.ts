import { LetheError } from '../errors.js';
import { redactSecretsInText } from '../db/redact-url.js';
import { describeError, describeServerDetails } from '../db/describe-error.js';

interface ServerError {
  position?: string;
}

/** One line and a hint by default; the cause, server detail and failing SQL with --verbose. */
export function renderError(error: unknown, verbose: boolean): string {
  const lines: string[] = [];
  if (error instanceof LetheError) {
    lines.push(`lethe: ${error.message} [${error.code}]`);
    for (const detail of error.details) lines.push(`  ${detail}`);
    if (error.hint) lines.push(`hint: ${error.hint}`);
    if (verbose) lines.push(...renderCause(error.cause, error.sql));
  } else {
    lines.push(`lethe: unexpected error: ${describeError(error)} [INTERNAL]`);
    if (verbose && error instanceof Error && error.stack) lines.push(...stackFrames(error));
    else lines.push('hint: run again with --verbose for the stack trace');
  }
  return redactSecretsInText(lines.join('\n')) + '\n';
}

function renderCause(cause: unknown, sql: string | undefined): string[] {
  const lines: string[] = [];
  if (cause instanceof Error) {
    // The stack's first line repeats the server's message: only the redacted description and the frames.
    lines.push(`cause: ${describeError(cause)}`, ...stackFrames(cause));
    const state = (cause as { code?: unknown }).code;
    if (typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state)) lines.push(`sqlstate: ${state}`);
    lines.push(...describeServerDetails(cause));
    const server = cause as ServerError;
    if (sql) lines.push(...renderSqlWithCaret(sql, server.position ? Number(server.position) : undefined));
  } else if (sql) {
    lines.push(...renderSqlWithCaret(sql, undefined));
  }
  return lines;
}

function stackFrames(error: Error): string[] {
  return (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
}

/** Prints the statement with a caret under the 1-based character position the server reported. */
export function renderSqlWithCaret(sql: string, position: number | undefined): string[] {
  const out = ['sql:'];
  let offset = 0;
  for (const line of sql.split('\n')) {
    out.push(`  ${line}`);
    if (position !== undefined && position > offset && position <= offset + line.length + 1) {
      out.push(`  ${' '.repeat(position - offset - 1)}^`);
    }
    offset += line.length + 1;
  }
  return out;
}

/**
 * A rule that failed inside a plan or run: one line; with --verbose the
 * failing statement with a caret under the server's position, the SQLSTATE and
 * the server's hint. Never the bound values: statements carry $n placeholders.
 */
export function renderRuleFailure(id: string, error: { code: string; message: string } | undefined, cause: unknown, verbose: boolean): string {
  const lines = [`lethe: rule '${id}': ${error?.message ?? 'failed'} [${error?.code ?? 'SQL_FAILED'}]`];
  if (verbose && cause && typeof cause === 'object') {
    const server = cause as ServerError & { code?: unknown; statement?: unknown };
    if (typeof server.code === 'string' && /^[0-9A-Z]{5}$/.test(server.code)) lines.push(`sqlstate: ${server.code}`);
    lines.push(...describeServerDetails(cause));
    if (typeof server.statement === 'string') lines.push(...renderSqlWithCaret(server.statement, server.position ? Number(server.position) : undefined));
  }
  return redactSecretsInText(lines.join('\n')) + '\n';
}
