import type { SqlClient } from '../db/sql-client.js';
import { quoteIdent } from '../sql/quote.js';
import { FOREIGN_KEY_COLUMNS_SQL, toForeignKeyInfo, type ForeignKeyRow } from './foreign-key-rows.js';
import type { TableInfo, TriggerInfo } from './types.js';

type SafetyFacts = Required<Pick<TableInfo, 'foreignKeys' | 'checks' | 'triggers'>> & Pick<TableInfo, 'partition'>;

/**
 * What the safety checks need beyond names and types: the table's own foreign
 * keys and CHECK constraints (values written into them must still satisfy
 * them), its UPDATE triggers (they may restart the clock), and its siblings
 * when it is a partition (a partition missing its siblings' foreign key).
 */
export async function readTableSafetyFacts(client: SqlClient, oid: number): Promise<SafetyFacts> {
  const foreignKeys = await client.query<ForeignKeyRow>(
    `select con.conname as name, n.nspname as schema, c.relname as tablename,
            rn.nspname as refschema, rc.relname as refname,
            ${FOREIGN_KEY_COLUMNS_SQL},
            con.confdeltype as ondelete
       from pg_constraint con
       join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_class rc on rc.oid = con.confrelid join pg_namespace rn on rn.oid = rc.relnamespace
      where con.conrelid = $1 and con.contype = 'f'`,
    [oid],
  );
  const checks = await client.query<{ name: string; columns: string[]; definition: string }>(
    `select con.conname as name, pg_get_constraintdef(con.oid) as definition,
            array(select a.attname from unnest(con.conkey) k(attnum)
                   join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum)::text[] as columns
       from pg_constraint con where con.conrelid = $1 and con.contype = 'c'`,
    [oid],
  );
  const triggers = await client.query<{ name: string; tgtype: number; functionname: string; source: string | null; language: string }>(
    `select t.tgname as name, t.tgtype::int as tgtype, p.proname as functionname, p.prosrc as source, l.lanname as language
       from pg_trigger t join pg_proc p on p.oid = t.tgfoid join pg_language l on l.oid = p.prolang
      where t.tgrelid = $1 and not t.tgisinternal`,
    [oid],
  );
  const partition = await client.query<{ parentschema: string; parentname: string; siblings: string[] }>(
    `select pn.nspname as parentschema, pc.relname as parentname,
            array(select '"' || replace(sn.nspname, '"', '""') || '"."' || replace(sc.relname, '"', '""') || '"'
                    from pg_inherits s join pg_class sc on sc.oid = s.inhrelid join pg_namespace sn on sn.oid = sc.relnamespace
                   where s.inhparent = i.inhparent order by 1)::text[] as siblings
       from pg_inherits i join pg_class pc on pc.oid = i.inhparent join pg_namespace pn on pn.oid = pc.relnamespace
      where i.inhrelid = $1 and pc.relkind = 'p'`,
    [oid],
  );
  const parent = partition.rows[0];
  return {
    foreignKeys: foreignKeys.rows.map(toForeignKeyInfo),
    checks: checks.rows,
    triggers: triggers.rows.map((trigger): TriggerInfo => ({
      name: trigger.name,
      // pg_trigger.tgtype bits: 1 row, 2 before, 16 update, 64 instead.
      timing: trigger.tgtype & 64 ? 'instead' : trigger.tgtype & 2 ? 'before' : 'after',
      rowUpdate: (trigger.tgtype & 1) !== 0 && (trigger.tgtype & 16) !== 0,
      functionName: trigger.functionname,
      functionSource: trigger.language === 'c' || trigger.language === 'internal' ? '' : trigger.source ?? '',
    })),
    partition: parent ? { parent: `${quoteIdent(parent.parentschema)}.${quoteIdent(parent.parentname)}`, siblings: parent.siblings } : undefined,
  };
}
