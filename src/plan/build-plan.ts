import type { Catalog, TableInfo } from '../catalog/types.js';
import { tableKey } from '../catalog/read-catalog.js';
import { LetheError } from '../errors.js';
import { approximateMs } from '../rules/parse-duration.js';
import { holdsQueryFor, type CascadeNode, type HoldSettings, type Rule, type RuleSet } from '../rules/types.js';
import { qualify } from '../sql/quote.js';
import { computeCutoff } from './compute-cutoff.js';
import type { Cascade, KeyColumn, Plan, PlannedPhase, PlannedRule, PlannedSubject, Walk } from './types.js';

export interface PlanOptions {
  /** Rule ids to keep; all rules when undefined. */
  only?: string[] | undefined;
}

/** Pure: (rules, catalog, now) -> Plan. Expects rules that `check` accepted. */
export function buildPlan(ruleSet: RuleSet, catalog: Catalog, now: Date, options: PlanOptions = {}): Plan {
  const rules = selectRules(ruleSet.rules, options.only);
  return { now, rules: rules.map((rule) => planRule(rule, catalog, now, ruleSet.holds)) };
}

export function selectRules(rules: Rule[], only: string[] | undefined): Rule[] {
  if (!only) return rules;
  const unknown = only.filter((id) => !rules.some((rule) => rule.id === id));
  if (unknown.length > 0) {
    throw new LetheError('USAGE', `--only: no rule with id ${unknown.map((id) => `'${id}'`).join(', ')}`, {
      hint: `known rules: ${rules.map((rule) => rule.id).join(', ')}`,
    });
  }
  return rules.filter((rule) => only.includes(rule.id));
}

function planRule(rule: Rule, catalog: Catalog, now: Date, holds: HoldSettings): PlannedRule {
  const table = requireTable(catalog, tableKey(rule.table), rule);
  const ordered = [...rule.phases].sort((a, b) => approximateMs(a.after) - approximateMs(b.after));
  const cascades = resolveCascades(rule, table, catalog, holds);
  const windows: PlannedPhase[] = ordered.map((phase, index) => {
    const longer = ordered[index + 1];
    return {
      phase,
      walk: chooseWalk(rule, table, phase, cascades.some((cascade) => cascade.by === 'rule')),
      cutoff: computeCutoff(now, phase.after),
      olderBound: longer ? computeCutoff(now, longer.after) : undefined,
      changes: phase.set.map((change) => ({ ...change, info: requireColumn(table, change.column, rule) })),
      markInfo: phase.mark ? requireColumn(table, phase.mark, rule) : undefined,
    };
  });
  return {
    rule,
    table,
    key: windows.every((window) => window.walk !== 'key') ? resolveKeyIfAny(rule, table) : resolveKey(rule, table),
    cascades,
    phases: windows.reverse(),
    holdsSubjects: rule.subject ? holdsQueryFor(holds, rule.subjectKind) : undefined,
    clockType: catalog.clockTypes?.get(rule.id),
  };
}

/**
 * Walking physical pages (TID ranges) is the fastest: one statement per batch
 * and no keys through Node. It needs a plain table, no join (the statement
 * names only the target) and no children Lethe deletes itself. Pseudonyms are
 * made in Node for the rows the batch locks and joined back by row position.
 */
export function chooseWalk(rule: Rule, table: TableInfo, phase: Rule['phases'][number], lethesCascades: boolean): Walk {
  if (rule.join || (table.kind !== 'table' && table.kind !== 'partitioned')) return 'key';
  if (table.kind === 'partitioned') {
    // Dropping a partition would bypass foreign keys that point at the table.
    return phase.action === 'delete' && !lethesCascades && table.referencedBy.length === 0 ? 'partitions' : 'key';
  }
  return phase.action === 'delete' && lethesCascades ? 'key' : 'pages';
}

/** The explicit key, else the primary key, else a unique index on NOT NULL columns. */
export function resolveKey(rule: Rule, table: TableInfo): KeyColumn[] {
  const names = rule.key ?? table.primaryKey ?? uniqueNotNullIndex(table);
  if (!names) {
    throw new LetheError('SCHEMA_MISMATCH', `rule '${rule.id}': table ${table.qualified} has no primary key or unique NOT NULL index`, {
      hint: "name unique columns with 'key:' in the rule",
    });
  }
  return names.map((name) => ({ name, type: requireColumn(table, name, rule).type }));
}

/** Walks by pages need no key; one is still used for previews when the table has it. */
function resolveKeyIfAny(rule: Rule, table: TableInfo): KeyColumn[] {
  const names = rule.key ?? table.primaryKey ?? uniqueNotNullIndex(table);
  return names ? names.map((name) => ({ name, type: requireColumn(table, name, rule).type })) : [];
}

function uniqueNotNullIndex(table: TableInfo): string[] | undefined {
  const index = table.indexes.find(
    (candidate) => candidate.unique && !candidate.partial && candidate.columns.length > 0 && candidate.columns.every((name) => table.columns.get(name)?.notNull),
  );
  return index?.columns;
}

/**
 * The cascade tree of a delete: tables listed in `cascade` at any depth (Lethe deletes
 * them, leaves first), and tables emptied by ON DELETE CASCADE below any of them. A
 * listed table hangs from its parent by every foreign key it has to it; a table
 * referencing itself selects every row that reaches the parent's rows, at any depth.
 */
export function resolveCascades(rule: Rule, table: TableInfo, catalog: Catalog, holds: HoldSettings): Cascade[] {
  if (!rule.phases.some((phase) => phase.action === 'delete')) return [];
  const byQualified = new Map([...catalog.tables.values()].map((info) => [info.qualified, info]));
  const anchors = subjectAnchors(rule, table, catalog);
  const ruleQuery = rule.subject ? holdsQueryFor(holds, rule.subjectKind) : undefined;
  const cascades: Cascade[] = [];
  const subjectsOf = (child: TableInfo, node: CascadeNode | undefined): PlannedSubject[] => {
    const subjects: PlannedSubject[] = [];
    const explicitQuery = node?.subject ? holdsQueryFor(holds, node.subjectKind) : undefined;
    if (node?.subject && explicitQuery) subjects.push({ sql: node.subject, kind: node.subjectKind, holdsQuery: explicitQuery });
    if (ruleQuery && explicitQuery !== ruleQuery) {
      const derived = deriveSubject(child, anchors);
      if (derived) subjects.push({ sql: derived, kind: rule.subjectKind, holdsQuery: ruleQuery });
    }
    return subjects;
  };
  const visit = (parentTable: TableInfo, parent: Cascade | undefined, listed: CascadeNode[], ancestors: string[]) => {
    const listedTables = new Set<string>();
    for (const node of listed) {
      const child = catalog.tables.get(tableKey(node.table));
      if (!child) continue;
      listedTables.add(child.qualified);
      const recursive = child.qualified === parentTable.qualified;
      if (!recursive && ancestors.includes(child.qualified)) continue;
      for (const foreignKey of parentTable.referencedBy.filter((fk) => fk.table === child.qualified)) {
        const cascade: Cascade = { table: child, foreignKey, by: 'rule', parent, recursive, subjects: subjectsOf(child, node) };
        cascades.push(cascade);
        visit(child, cascade, node.children, [...ancestors, child.qualified]);
      }
    }
    for (const foreignKey of parentTable.referencedBy) {
      const child = byQualified.get(foreignKey.table);
      if (foreignKey.onDelete !== 'c' || !child || listedTables.has(child.qualified)) continue;
      const recursive = child.qualified === parentTable.qualified;
      if (!recursive && ancestors.includes(child.qualified)) continue;
      // A self-reference selects every depth at once: it is not entered again below itself.
      if (recursive && parent?.recursive && parent.foreignKey.name === foreignKey.name) continue;
      const cascade: Cascade = { table: child, foreignKey, by: 'database', parent, recursive, subjects: subjectsOf(child, undefined) };
      cascades.push(cascade);
      visit(child, cascade, [], [...ancestors, child.qualified]);
    }
  };
  visit(table, undefined, rule.cascade, [table.qualified]);
  return mergeSubjectsByTable(cascades);
}

/** A table reached by several paths is held by any of its subjects, whichever path reached it. */
function mergeSubjectsByTable(cascades: Cascade[]): Cascade[] {
  const byTable = new Map<string, PlannedSubject[]>();
  for (const cascade of cascades) {
    const merged = byTable.get(cascade.table.qualified) ?? [];
    for (const subject of cascade.subjects) if (!merged.some((seen) => seen.sql === subject.sql && seen.holdsQuery === subject.holdsQuery)) merged.push(subject);
    byTable.set(cascade.table.qualified, merged);
  }
  for (const cascade of cascades) cascade.subjects = byTable.get(cascade.table.qualified)!;
  return cascades;
}

interface SubjectAnchor {
  /** Qualified when the table is in the catalog; else the bare name the rule wrote. */
  qualified: string | undefined;
  name: string;
  column: string;
}

/**
 * Where the rule's subject lives: the column its `subject` names (`rental.customer_id`)
 * and the column that one references (`customer.customer_id`). A table of the tree
 * with a foreign key to either belongs to the same subject through that key.
 */
function subjectAnchors(rule: Rule, table: TableInfo, catalog: Catalog): SubjectAnchor[] {
  const match = rule.subject ? /^\s*(?:"?([A-Za-z_][\w$]*)"?\.)?"?([A-Za-z_][\w$]*)"?\s*$/.exec(rule.subject) : null;
  if (!match) return [];
  const ownerName = match[1] ?? table.name;
  const column = match[2]!;
  const owner = ownerName === table.name ? table : [...catalog.tables.values()].find((candidate) => candidate.name === ownerName);
  const anchors: SubjectAnchor[] = [{ qualified: owner?.qualified, name: ownerName, column }];
  const reference = owner?.references.find((fk) => fk.columns.length === 1 && fk.columns[0] === column);
  if (reference) anchors.push({ qualified: reference.referencedTable, name: unquotedName(reference.referencedTable), column: reference.referencedColumns[0]! });
  return anchors;
}

function deriveSubject(child: TableInfo, anchors: SubjectAnchor[]): string | undefined {
  const sameTable = (anchor: SubjectAnchor, qualified: string) => (anchor.qualified ? anchor.qualified === qualified : anchor.name === unquotedName(qualified));
  const own = anchors.find((anchor) => sameTable(anchor, child.qualified) && child.columns.has(anchor.column));
  if (own) return qualify(child.name, own.column);
  for (const fk of child.references) {
    if (fk.columns.length === 1 && anchors.some((anchor) => sameTable(anchor, fk.referencedTable) && anchor.column === fk.referencedColumns[0])) return qualify(child.name, fk.columns[0]!);
  }
  return undefined;
}

function unquotedName(qualified: string): string {
  return qualified.split('.').pop()!.replace(/^"|"$/g, '').replace(/""/g, '"');
}

function requireTable(catalog: Catalog, key: string, rule: Rule): TableInfo {
  const table = catalog.tables.get(key);
  if (!table) throw new LetheError('SCHEMA_MISMATCH', `rule '${rule.id}': table ${key} does not exist`, { hint: 'run lethe check' });
  return table;
}

function requireColumn(table: TableInfo, name: string, rule: Rule) {
  const column = table.columns.get(name);
  if (!column) throw new LetheError('SCHEMA_MISMATCH', `rule '${rule.id}': column ${name} does not exist in ${table.qualified}`, { hint: 'run lethe check' });
  return column;
}

/** The same planned rule with its cutoffs recomputed for another `now` (a resumed run keeps its own). */
export function replanAt(planned: PlannedRule, now: Date): PlannedRule {
  const byAfter = [...planned.phases].reverse();
  const phases = byAfter
    .map((window, index) => {
      const longer = byAfter[index + 1];
      return { ...window, cutoff: computeCutoff(now, window.phase.after), olderBound: longer ? computeCutoff(now, longer.phase.after) : undefined };
    })
    .reverse();
  return { ...planned, phases };
}
