import type { SqlClient } from '../db/sql-client.js';
import { sqlstateOf } from '../db/sqlstate.js';

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';

/**
 * PostgreSQL folds unquoted names to lower case, so `Invoice.InvoiceDate` in a
 * fragment looks for `invoice.invoicedate` and fails with "missing FROM-clause
 * entry" or "column does not exist". When a table or column exists spelled the
 * same but for case, say how to write it: in double quotes, exactly.
 */
export async function foldedNameHint(client: SqlClient, error: unknown): Promise<string> {
  const code = sqlstateOf(error);
  if (code !== UNDEFINED_TABLE && code !== UNDEFINED_COLUMN) return '';
  const message = error instanceof Error ? error.message : String(error);
  const named = /(?:table|relation|column) "?([^"\s]+(?:\.[^"\s]+)?)"?/.exec(message)?.[1];
  if (!named) return '';
  const parts = named.split('.');
  const spellings: string[] = [];
  for (const [index, part] of parts.entries()) {
    const isColumn = code === UNDEFINED_COLUMN && index === parts.length - 1;
    const found = await client.query<{ name: string }>(
      isColumn
        ? `select distinct a.attname as name from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
            where lower(a.attname) = lower($1) and a.attname <> $1 and a.attnum > 0 and not a.attisdropped
              and n.nspname not in ('pg_catalog', 'information_schema') order by 1 limit 3`
        : `select distinct c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where lower(c.relname) = lower($1) and c.relname <> $1 and c.relkind in ('r', 'p', 'v', 'm', 'f')
              and n.nspname not in ('pg_catalog', 'information_schema') order by 1 limit 3`,
      [part],
    );
    spellings.push(found.rows[0] ? `"${found.rows[0].name.replace(/"/g, '""')}"` : part);
  }
  const written = spellings.join('.');
  if (written === named) return '';
  return `; did you mean ${written}? Unquoted names are folded to lower case: write mixed-case names in double quotes, exactly as spelled`;
}
