import type { Knex } from 'knex';

/** An export document as `lethe export --format json` writes it. */
export interface ExportDocument {
  lethe: 1;
  mode: 'export';
  status: 'ok' | 'not-found';
  rows: number;
  kind: string | null;
  tables: { category: string; table: string; rules: string[]; rows: number; exported: boolean; omittedColumns: string[] }[];
  categories: Record<string, Record<string, Record<string, unknown>[]>>;
}

/** Every exported row, by table, whatever its category. */
export function rowsByTable(document: ExportDocument): Map<string, Record<string, unknown>[]> {
  const byTable = new Map<string, Record<string, unknown>[]>();
  for (const tables of Object.values(document.categories)) for (const [table, rows] of Object.entries(tables)) byTable.set(table, [...(byTable.get(table) ?? []), ...rows]);
  return byTable;
}

export function idsOfRows(rows: Record<string, unknown>[] | undefined): string[] {
  return (rows ?? []).map((row) => String(row.id)).sort((a, b) => Number(a) - Number(b));
}

/** Every column of the database that references users (by foreign key), from the catalog. */
export async function columnsReferencingUsers(db: Knex): Promise<{ table: string; column: string }[]> {
  const result = await db.raw<{ rows: { table: string; column: string }[] }>(`
    SELECT c.conrelid::regclass::text AS table, a.attname AS column
    FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass ORDER BY 1, 2`);
  return result.rows;
}

/** What direct SQL says a user owns: every row whose column references them, their account, and their models' metadata. */
export async function expectedIdsByTable(db: Knex, userId: number): Promise<Map<string, string[]>> {
  const expected = new Map<string, string[]>();
  const ids = async (sql: string) => ((await db.raw<{ rows: { id: string }[] }>(sql, [userId])).rows.map((row) => String(row.id))).sort((a, b) => Number(a) - Number(b));
  expected.set('users', await ids('SELECT id FROM users WHERE id = ?'));
  for (const { table, column } of await columnsReferencingUsers(db)) {
    expected.set(table, await ids(`SELECT id FROM ${table} WHERE "${column}" = ?`));
  }
  expected.set('public_model_metadata', await ids('SELECT p.id FROM public_model_metadata p JOIN models m ON m.id = p.model_id WHERE m.owner_id = ?'));
  return expected;
}

/** A user with rows in every table that references users but legal_holds, and one with a legal hold. */
export async function pickUsers(db: Knex): Promise<{ rich: number; held: number; other: number }> {
  const rich = await db.raw<{ rows: { id: number }[] }>(`
    SELECT u.id FROM users u
    WHERE EXISTS (SELECT 1 FROM device_logs d WHERE d.user_id = u.id AND d.source = 'internal')
      AND EXISTS (SELECT 1 FROM models m JOIN public_model_metadata p ON p.model_id = m.id WHERE m.owner_id = u.id)
      AND EXISTS (SELECT 1 FROM verification_codes v WHERE v.user_id = u.id)
    ORDER BY (SELECT count(*) FROM third_party_logins t WHERE t.user_id = u.id) DESC, u.id LIMIT 1`);
  const held = await db.raw<{ rows: { id: number }[] }>('SELECT user_id AS id FROM legal_holds ORDER BY id LIMIT 1');
  const other = await db.raw<{ rows: { id: number }[] }>(`SELECT u.id FROM users u WHERE u.id <> ? AND EXISTS (SELECT 1 FROM device_logs d WHERE d.user_id = u.id) ORDER BY u.id LIMIT 1`, [rich.rows[0]!.id]);
  return { rich: Number(rich.rows[0]!.id), held: Number(held.rows[0]!.id), other: Number(other.rows[0]!.id) };
}
