import type { TableName } from './types.js';

/**
 * Names in rule keys (table, key, mark, set columns, cascade) are taken exactly
 * as written, case included, like a quoted SQL identifier: `Customer`, `Straße`,
 * `Invoice Line`. The SQL quoted form is accepted too (`"Invoice Line"`), and is
 * needed for a table or schema name containing a dot or a double quote
 * (`"my.schema"."odd ""name"""`).
 */

/** PostgreSQL keeps at most 63 bytes of a name (NAMEDATALEN - 1) and silently cuts the rest. */
export const MAX_IDENTIFIER_BYTES = 63;

const QUOTED = '"(?:[^"]|"")+"';
/** A name as a rule key may hold it: the quoted form, or any text without a double quote. */
export const IDENTIFIER_PATTERN = new RegExp(`^(?:${QUOTED}|[^"]+)$`);
/** A table name, optionally schema-qualified; a part with a dot must be quoted. */
export const TABLE_PATTERN = new RegExp(`^(?:${QUOTED}|[^".]+)(?:\\.(?:${QUOTED}|[^".]+))?$`);

/** The exact name a written identifier stands for (quotes removed, `""` unescaped). */
export function parseIdentifier(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text;
}

/** `schema.name`, `"my.schema"."Name"` -> parts; a dot inside quotes belongs to the name. */
export function parseTableName(text: string): TableName {
  const parts = (text.match(new RegExp(`${QUOTED}|[^".]+`, 'g')) ?? [text]).map(parseIdentifier);
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { schema: undefined, name: parts[0] ?? text };
}

/** Why a name cannot be an identifier, or undefined when it can. */
export function identifierProblem(text: string): string | undefined {
  const name = parseIdentifier(text);
  if (name.includes('\0')) return 'a name cannot contain a NUL character';
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) return `'${name}' is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES} bytes: it would be cut`;
  return undefined;
}

/** How to write a name in a rule key so it reads back as exactly this name. */
export function writeIdentifier(name: string): string {
  return /["."]/.test(name) || name.startsWith(' ') || name.endsWith(' ') ? `"${name.replace(/"/g, '""')}"` : name;
}

/** How to write a table in a rule: without its schema only when that schema is the first on search_path. */
export function writeTableName(schema: string, name: string, firstSchema: string | undefined): string {
  return schema === firstSchema ? writeIdentifier(name) : `${writeIdentifier(schema)}.${writeIdentifier(name)}`;
}

/** A kind of subject (`customer`, `staff`): what holds and requests are keyed by. */
export const SUBJECT_KIND_PATTERN = /^[a-z][a-z0-9_]*$/;
