import { createHmac } from 'node:crypto';
import type { SqlClient } from '../db/sql-client.js';
import { LetheError } from '../errors.js';
import type { KeyColumn } from '../plan/types.js';
import { quoteIdent } from '../sql/quote.js';

/** Key types that are surrogate keys (numbers or uuids a database made up), recorded as they are. */
const SURROGATE_TYPES = new Set(['smallint', 'integer', 'bigint', 'uuid']);

export function isSurrogateKey(key: readonly KeyColumn[]): boolean {
  return key.length > 0 && key.every((column) => SURROGATE_TYPES.has(column.type));
}

/**
 * A key as the ledger and reports may show it: a surrogate key as it is; any
 * other key (an email, a phone, a natural code) as a keyed digest, so Lethe's
 * own records never hold the personal value. The digest key is the database's
 * own ledger key (lethe.settings), so the same row gives the same digest in
 * every run of that database and nothing outside it can recompute one.
 */
export function recordedKey(key: readonly KeyColumn[], values: readonly (string | null)[], ledgerKey: string): string[] {
  if (isSurrogateKey(key)) return values.map((value) => value ?? '');
  return [`hmac:${createHmac('sha256', ledgerKey).update(JSON.stringify(values), 'utf8').digest('hex').slice(0, 32)}`];
}

/** The database's ledger key, made by state migration 3. */
export async function readLedgerKey(client: SqlClient, schema: string): Promise<string> {
  const result = await client.query<{ value: string }>(`SELECT value FROM ${quoteIdent(schema)}.settings WHERE name = 'ledger_key'`);
  const value = result.rows[0]?.value;
  if (!value) throw new LetheError('SQL_FAILED', `the state schema "${schema}" has no ledger key`, { hint: `restore the row ('ledger_key', <random hex>) of ${schema}.settings` });
  return value;
}
