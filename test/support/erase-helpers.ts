import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { RULES_DIR } from './run-helpers.js';

/**
 * A copy of the shipped Bench3D rules (their accounts rule reaches every table that holds a
 * user's data), in a folder of its own where a test may add rules and subjects files.
 */
export async function writeEraseRules(extra?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lethe-erase-rules-'));
  await cp(RULES_DIR, dir, { recursive: true });
  if (extra) await writeFile(join(dir, 'extra.yaml'), extra);
  return dir;
}

/** Every column that references users.id, read from the catalog (so a new table cannot be forgotten). */
export async function columnsReferencingUsers(db: Knex): Promise<{ table: string; column: string }[]> {
  const result = await db.raw<{ rows: { table: string; column: string }[] }>(`
SELECT c.conrelid::regclass::text AS table, a.attname AS column
FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
WHERE c.contype = 'f' AND c.confrelid = 'public.users'::regclass AND array_length(c.conkey, 1) = 1
ORDER BY 1, 2`);
  return result.rows;
}

/** A digest of every row of one user: the users row, every row referencing it, and their models' metadata. */
export async function userFingerprint(db: Knex, userId: string): Promise<string> {
  const parts: string[] = [];
  const digest = async (sql: string) => (await db.raw<{ rows: { d: string | null }[] }>(sql, [userId])).rows[0]!.d ?? '-';
  parts.push(await digest(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM users t WHERE t.id = ?`));
  for (const { table, column } of await columnsReferencingUsers(db)) {
    parts.push(await digest(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM ${table} t WHERE t."${column}" = ?`));
  }
  parts.push(await digest(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM public_model_metadata t JOIN models m ON m.id = t.model_id WHERE m.owner_id = ?`));
  return parts.join(':');
}
