import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import knex from 'knex';
import { inject } from 'vitest';
import type { TestDatabase } from './test-database.js';

export interface RestrictedRole {
  /** Unique per test file, like the database. */
  name: string;
  /** The test database's URL, logged in as this role (trust authentication on loopback). */
  url: string;
  /** Runs SQL as the administrator in the test database, `lethe_runner` meaning this role. */
  grant(sql: string): Promise<void>;
  drop(): Promise<void>;
}

/** The statements docs/security.md gives for the Bench3D rules, for the role `lethe_runner`. */
export async function readDocumentedGrants(): Promise<string> {
  const page = await readFile(new URL('../../docs/security.md', import.meta.url), 'utf8');
  const section = page.slice(page.indexOf('### Example: the Bench3D rules'));
  const block = /```sql\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('docs/security.md has no sql block under "Example: the Bench3D rules"');
  return block[1]!;
}

/**
 * A uniquely named login role in the test database, with exactly the given statements run by
 * the administrator (`lethe_runner` in them is replaced by the role's name). drop() removes
 * what it owns in the test database and the role itself.
 */
export async function createRestrictedRole(database: TestDatabase, sql: string): Promise<RestrictedRole> {
  const name = `lethe_role_${randomBytes(5).toString('hex')}`;
  const forRole = (text: string) => text.replace(/\blethe_runner\b/g, name);
  const grant = async (text: string) => {
    await database.db.raw(forRole(text));
  };
  await grant(sql);
  const url = new URL(database.url);
  url.username = name;
  url.password = '';
  return {
    name,
    url: url.toString(),
    grant,
    drop: async () => {
      await database.db.raw(`DROP OWNED BY "${name}" CASCADE`);
      const admin = knex({ client: 'pg', connection: inject('adminUrl'), pool: { min: 0, max: 1 } });
      try {
        // Owned objects in other databases would block this; the role only ever had the test database.
        await admin.raw(`DROP ROLE IF EXISTS "${name}"`);
      } finally {
        await admin.destroy();
      }
    },
  };
}
