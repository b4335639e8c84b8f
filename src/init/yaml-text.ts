/** Small helpers to write YAML by hand, so the draft can carry comments where a person must decide. */

const PLAIN = /^[A-Za-z_][A-Za-z0-9_ .,/()-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

/** A scalar as YAML: plain when safe, else a JSON (double-quoted) string, which YAML reads the same. */
export function yamlString(text: string): string {
  return PLAIN.test(text) && !RESERVED.test(text) && !text.endsWith(' ') ? text : JSON.stringify(text);
}

/** One line of text: comments are never wrapped or split by the writer. */
export function comment(indent: string, text: string): string {
  return `${indent}# ${text.replace(/\n/g, ' ')}`;
}

/** An SQL name as a fragment would write it: bare when PostgreSQL reads it unchanged, else in double quotes. */
export function sqlName(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !SQL_RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** The reserved words a table or column is most likely named after. */
const SQL_RESERVED = new Set(['user', 'order', 'group', 'table', 'select', 'from', 'where', 'limit', 'offset', 'default', 'check', 'column', 'constraint', 'primary', 'references', 'end', 'case', 'when', 'to', 'as', 'on', 'in', 'is', 'all', 'and', 'or', 'not', 'null', 'true', 'false', 'grant', 'union', 'desc', 'asc', 'analyse', 'analyze', 'both', 'leading', 'trailing', 'window', 'with', 'only', 'current_user', 'session_user', 'current_date', 'current_time']);

/** kebab-case from a table name: device_logs -> device-logs, analytics.Events -> analytics-events. */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'table';
}
