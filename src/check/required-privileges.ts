import { tableKey } from '../catalog/read-catalog.js';
import type { Catalog } from '../catalog/types.js';
import { readFragmentReferences, type FragmentKind } from '../rules/parse-fragment.js';
import { holdsQueryFor, type CascadeNode, type Rule, type RuleSet, type TableName } from '../rules/types.js';

/**
 * What one rule needs on one table. `read` is what plan and run --dry-run need; `write` is what
 * a real run needs (and what check verifies, since it is the gate before a run).
 */
export interface TableNeed {
  ruleId: string;
  /** The table as the rules name it (resolved by the server through search_path). */
  table: TableName;
  select: boolean;
  delete: boolean;
  /** Columns the rule's anonymize/pseudonymize phases write (set and mark): column-level UPDATE. */
  updateColumns: string[];
  /** Row locks (SELECT ... FOR UPDATE) need UPDATE on at least one column of the locked table. */
  updateAnyColumn: boolean;
  /** Dropping whole partitions (detach and drop) needs the table's owner. */
  owner: boolean;
  /** Why, for the report: `delete phase 180d`, `join`, `cascade`. */
  why: string[];
}

export type PrivilegePurpose = 'read' | 'write';

/** Pure: every table privilege each rule needs, merged per rule and table. */
export function listTableNeeds(ruleSet: RuleSet, catalog: Catalog, purpose: PrivilegePurpose): TableNeed[] {
  const needs: TableNeed[] = [];
  for (const rule of ruleSet.rules) {
    const byTable = new Map<string, TableNeed>();
    const need = (table: TableName, why: string): TableNeed => {
      let entry = byTable.get(tableKey(table));
      if (!entry) {
        entry = { ruleId: rule.id, table, select: false, delete: false, updateColumns: [], updateAnyColumn: false, owner: false, why: [] };
        byTable.set(tableKey(table), entry);
        needs.push(entry);
      }
      if (!entry.why.includes(why)) entry.why.push(why);
      return entry;
    };
    const target = need(rule.table, 'the rule\'s table');
    target.select = true;
    for (const { table, why } of fragmentTables(rule, ruleSet)) {
      if (tableKey(table) !== tableKey(target.table)) need(table, why).select = true;
    }
    for (const node of flattenCascade(rule.cascade)) need(node.table, 'cascade').select = true;
    if (purpose === 'read') continue;
    for (const phase of rule.phases) {
      if (phase.action === 'delete') {
        target.delete = true;
        target.updateAnyColumn = true;
        if (rule.partitions !== 'delete' && catalog.tables.get(tableKey(target.table))?.kind === 'partitioned') target.owner = true;
      } else {
        for (const column of [...phase.set.map((change) => change.column), ...(phase.mark ? [phase.mark] : [])]) {
          if (!target.updateColumns.includes(column)) target.updateColumns.push(column);
        }
      }
    }
    if (rule.phases.some((phase) => phase.action === 'delete')) {
      for (const node of flattenCascade(rule.cascade)) {
        const child = need(node.table, 'cascade');
        child.delete = true;
        child.updateAnyColumn = true;
      }
    }
  }
  return needs;
}

function flattenCascade(nodes: CascadeNode[]): CascadeNode[] {
  return nodes.flatMap((node) => [node, ...flattenCascade(node.children)]);
}

/** Tables the rule's SQL fragments read: join, clock, where, hold, subject and the holds query. */
function fragmentTables(rule: Rule, ruleSet: RuleSet): { table: TableName; why: string }[] {
  const fragments: [string, FragmentKind, string | undefined][] = [
    ['join', 'join', rule.join],
    ['clock', 'value', rule.clock],
    ['where', 'predicate', rule.where],
    ['hold', 'predicate', rule.hold],
    ['subject', 'value', rule.subject],
    ['holds', 'query', rule.subject ? holdsQueryFor(ruleSet.holds, rule.subjectKind) : undefined],
    ...flattenCascade(rule.cascade).flatMap((node): [string, FragmentKind, string | undefined][] => [
      ['cascade subject', 'value', node.subject],
      ['holds', 'query', node.subject || node.subjectKind ? holdsQueryFor(ruleSet.holds, node.subjectKind) : undefined],
    ]),
  ];
  const tables: { table: TableName; why: string }[] = [];
  for (const [why, kind, text] of fragments) {
    if (!text) continue;
    let references;
    try {
      references = readFragmentReferences(kind, text);
    } catch {
      continue; // a fragment that does not parse is reported by the fragment checks
    }
    for (const table of references.tables) tables.push({ table, why });
  }
  return tables;
}
