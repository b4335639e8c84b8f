import type { Catalog } from '../catalog/types.js';
import type { SqlClient } from '../db/sql-client.js';
import { loadFragmentParser } from '../rules/parse-fragment.js';
import type { RuleSet } from '../rules/types.js';
import { STATE_TABLE_PRIVILEGES } from '../state/state-privileges.js';
import { listTableNeeds, type PrivilegePurpose, type TableNeed } from './required-privileges.js';

/** A privilege the connected role lacks, with the statement an administrator runs to grant it. */
export interface MissingPrivilege {
  /** The rule that needs it; undefined for Lethe's own state schema. */
  ruleId: string | undefined;
  /** What is missing, e.g. `DELETE, UPDATE (ip) on public.device_logs`. */
  missing: string;
  /** Why the rule needs it: `the rule's table`, `join`, `cascade`, `state schema`. */
  why: string;
  /** The exact statement that fixes it. */
  grant: string;
}

interface TableFacts {
  qualified: string;
  partitioned?: boolean;
  can_select: boolean;
  can_delete: boolean;
  can_update_any: boolean;
  is_owner: boolean;
  cannot_update: string[];
  first_column: string | null;
}

/**
 * Asks the server (has_table_privilege, has_column_privilege, has_any_column_privilege,
 * has_schema_privilege, has_database_privilege) what the connected role may do, and lists
 * what it lacks for these rules. Tables that do not exist are left to the catalog checks.
 */
export async function readMissingPrivileges(client: SqlClient, ruleSet: RuleSet, catalog: Catalog, purpose: PrivilegePurpose, stateSchema: string): Promise<MissingPrivilege[]> {
  await loadFragmentParser();
  const role = (await client.query<{ role: string }>('SELECT quote_ident(current_user) AS role')).rows[0]!.role;
  const missing: MissingPrivilege[] = [];
  const schemasWithoutUsage = new Set<string>();
  for (const need of listTableNeeds(ruleSet, catalog, purpose)) {
    // Looking a table up in a schema without USAGE is an error, not an answer: ask first.
    const schemaGap = need.table.schema === undefined ? undefined : await readSchemaUsageGap(client, need.table.schema, role);
    if (schemaGap) {
      if (!schemasWithoutUsage.has(need.table.schema!)) missing.push({ ...schemaGap, ruleId: need.ruleId });
      schemasWithoutUsage.add(need.table.schema!);
      continue;
    }
    const facts = await readTableFacts(client, need);
    const gap = facts && describeGap(need, facts, role);
    if (gap) missing.push(gap);
    // Partitions are walked one leaf at a time, by name: a grant on the parent does not reach them.
    if (facts?.partitioned) {
      for (const leaf of await readLeafNeeds(client, need)) {
        const leafFacts = await readTableFacts(client, leaf);
        const leafGap = leafFacts && describeGap(leaf, leafFacts, role);
        if (leafGap) missing.push(leafGap);
      }
    }
  }
  missing.push(...(await readStateSchemaGaps(client, purpose, stateSchema, role)));
  return missing;
}

async function readSchemaUsageGap(client: SqlClient, schema: string, role: string): Promise<MissingPrivilege | undefined> {
  const result = await client.query<{ usage: boolean; quoted: string }>(`SELECT has_schema_privilege(oid, 'USAGE') AS usage, quote_ident(nspname) AS quoted FROM pg_namespace WHERE nspname = $1`, [schema]);
  const row = result.rows[0];
  if (!row || row.usage) return undefined; // a missing schema is reported by the catalog checks
  return { ruleId: undefined, missing: `USAGE on schema ${row.quoted}`, why: 'the schema of a table the rule reads or writes', grant: `GRANT USAGE ON SCHEMA ${row.quoted} TO ${role};` };
}

async function readTableFacts(client: SqlClient, need: TableNeed): Promise<TableFacts | undefined> {
  const name = need.table.schema ? [need.table.schema, need.table.name] : [need.table.name];
  const result = await client.query<TableFacts>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qualified, c.relkind = 'p' AS partitioned,
            has_table_privilege(c.oid, 'SELECT') AS can_select,
            has_table_privilege(c.oid, 'DELETE') AS can_delete,
            has_any_column_privilege(c.oid, 'UPDATE') AS can_update_any,
            pg_has_role(c.relowner, 'USAGE') AS is_owner,
            coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                         AND a.attname = ANY($2::text[]) AND NOT has_column_privilege(c.oid, a.attnum, 'UPDATE')), '{}') AS cannot_update,
            coalesce((SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                       WHERE i.indrelid = c.oid AND i.indisprimary),
                     (SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LIMIT 1)) AS first_column
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass(array_to_string(ARRAY(SELECT quote_ident(part) FROM unnest($1::text[]) AS part), '.'))`,
    [name, need.updateColumns],
  );
  return result.rows[0];
}

/** The leaf partitions of a partitioned table, each needing what the parent needs (but its owner). */
async function readLeafNeeds(client: SqlClient, need: TableNeed): Promise<TableNeed[]> {
  const name = need.table.schema ? [need.table.schema, need.table.name] : [need.table.name];
  const leaves = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_partition_tree(to_regclass(array_to_string(ARRAY(SELECT quote_ident(part) FROM unnest($1::text[]) AS part), '.'))) t
       JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE t.isleaf ORDER BY c.relname`,
    [name],
  );
  return leaves.rows.map((leaf) => ({ ...need, table: { schema: leaf.schema, name: leaf.name }, owner: false, why: [`a partition of ${need.table.name}`] }));
}

/** Pure: the one GRANT per rule and table that gives it what it lacks. */
export function describeGap(need: TableNeed, facts: TableFacts, role: string): MissingPrivilege | undefined {
  const privileges: string[] = [];
  if (need.select && !facts.can_select) privileges.push('SELECT');
  if (need.delete && !facts.can_delete) privileges.push('DELETE');
  const columns = [...facts.cannot_update];
  // SELECT ... FOR UPDATE needs UPDATE on some column; the key's first column is the narrowest grant.
  const forLocks = need.updateAnyColumn && !facts.can_update_any && columns.length === 0 && facts.first_column !== null;
  if (forLocks) columns.push(facts.first_column!);
  if (columns.length > 0) privileges.push(`UPDATE (${columns.map(quoteName).join(', ')})`);
  const statements: string[] = [];
  if (privileges.length > 0) statements.push(`GRANT ${privileges.join(', ')} ON ${facts.qualified} TO ${role};`);
  if (need.owner && !facts.is_owner) {
    privileges.push('ownership');
    statements.push(`ALTER TABLE ${facts.qualified} OWNER TO ${role};`);
  }
  if (privileges.length === 0) return undefined;
  const why = [...need.why];
  if (forLocks) why.push('row locks (FOR UPDATE) need UPDATE on a column');
  if (need.owner && !facts.is_owner) why.push("dropping whole partitions needs the owner; or set partitions: delete on the rule");
  return { ruleId: need.ruleId, missing: `${privileges.join(', ')} on ${facts.qualified}`, why: why.join('; '), grant: statements.join(' ') };
}

function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

interface SchemaFacts {
  schema: string;
  database: string;
  present: boolean;
  can_create_in_database: boolean;
  usage: boolean;
  can_create: boolean;
}

/**
 * The state schema: a missing one needs CREATE on the database (or an administrator creates it
 * for the role); an existing one needs USAGE, CREATE while tables are missing, and per table
 * what STATE_TABLE_PRIVILEGES lists. Plans only read checkpoints, when the schema exists.
 */
async function readStateSchemaGaps(client: SqlClient, purpose: PrivilegePurpose, stateSchema: string, role: string): Promise<MissingPrivilege[]> {
  const facts = (
    await client.query<SchemaFacts>(
      `SELECT quote_ident($1) AS schema, quote_ident(current_database()) AS database, n.oid IS NOT NULL AS present,
              has_database_privilege(current_database(), 'CREATE') AS can_create_in_database,
              n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE') AS usage,
              n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'CREATE') AS can_create
         FROM (SELECT 1) AS one LEFT JOIN pg_namespace n ON n.nspname = $1`,
      [stateSchema],
    )
  ).rows[0]!;
  const gap = (missing: string, grant: string, why = `Lethe's state schema ${facts.schema}`): MissingPrivilege => ({ ruleId: undefined, missing, why, grant });
  if (!facts.present) {
    if (purpose === 'read' || facts.can_create_in_database) return [];
    const why = `to create Lethe's state schema ${facts.schema}; or an administrator creates it for the role, as the fix says`;
    return [gap(`CREATE on database ${facts.database}`, `CREATE SCHEMA ${facts.schema} AUTHORIZATION ${role};`, why)];
  }
  const gaps: MissingPrivilege[] = [];
  if (!facts.usage) gaps.push(gap(`USAGE on schema ${facts.schema}`, `GRANT USAGE ON SCHEMA ${facts.schema} TO ${role};`));
  const tables = await client.query<{ name: string; present: boolean; privileges: string[] }>(
    `SELECT t.name, c.oid IS NOT NULL AS present,
            coalesce(ARRAY(SELECT p FROM unnest(t.privileges) AS p WHERE c.oid IS NULL OR NOT has_table_privilege(c.oid, p)), '{}') AS privileges
       FROM jsonb_to_recordset($2::jsonb) AS t(name text, privileges text[])
       LEFT JOIN pg_class c ON c.relname = t.name AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)`,
    [stateSchema, JSON.stringify(Object.entries(STATE_TABLE_PRIVILEGES).map(([name, uses]) => ({ name, privileges: purpose === 'write' ? uses.run : uses.read })))],
  );
  if (purpose === 'write' && tables.rows.some((table) => !table.present) && !facts.can_create) {
    gaps.push(gap(`CREATE on schema ${facts.schema} (its tables are created and migrated by Lethe)`, `GRANT CREATE ON SCHEMA ${facts.schema} TO ${role};`));
  }
  for (const table of tables.rows) {
    if (!table.present || table.privileges.length === 0) continue;
    gaps.push(gap(`${table.privileges.join(', ')} on ${facts.schema}.${table.name}`, `GRANT ${table.privileges.join(', ')} ON ${facts.schema}.${table.name} TO ${role};`));
  }
  return gaps;
}

/** A line of check's text output and of the error run and plan throw. */
export function formatMissingPrivilege(gap: MissingPrivilege): string {
  return `${gap.ruleId ? `rule '${gap.ruleId}'` : 'state'}: missing ${gap.missing} (${gap.why})\n  fix: ${gap.grant}`;
}
