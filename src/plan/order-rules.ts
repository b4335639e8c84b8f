import type { Catalog, TableInfo } from '../catalog/types.js';
import { tableKey } from '../catalog/read-catalog.js';
import { readFragmentReferences, type FragmentKind } from '../rules/parse-fragment.js';
import type { CascadeNode, Rule } from '../rules/types.js';
import { isLetheError } from '../errors.js';
import type { Plan, PlannedRule } from './types.js';

/**
 * Rules run in dependency order: a rule whose fragments read a table (its join,
 * clock, where, hold, or the holds query) runs before the rules that delete
 * from or change that table, so a clock derived from other rows (a customer's
 * last invoice) is read before those rows go. `after: [id]` adds an order by
 * hand. Pure; the tables come from the fragments' parse trees and the catalog.
 */
export interface RuleDependency {
  /** The rule that must run first. */
  before: string;
  /** The rule that waits for it. */
  after: string;
  /** `reads`: `before` reads a table `after` deletes from or changes; `after-key`: stated with `after:`. */
  reason: 'reads' | 'after-key';
  /** For `reads`: the table, qualified. */
  table?: string;
  /**
   * For `reads`: whether `after` can take `before`'s clock away: the table feeds `before`'s clock
   * (its join or clock) and `after` deletes from it (without deleting `before`'s rows with it) or
   * changes a column the clock's fragments name.
   */
  clock?: boolean;
}

export interface RuleOrder {
  /** Rule ids in run order. */
  order: string[];
  dependencies: RuleDependency[];
  /** Dependencies that could not be kept because they form a cycle (the file order decides there). */
  broken: RuleDependency[];
}

interface RuleTables {
  rule: Rule;
  own: string | undefined;
  /** Tables the rule deletes from (its own and its cascades at any depth, when it deletes) or changes (the columns it sets). */
  writes: Map<string, { deletes: boolean; columns: Set<string> }>;
  /** Tables its fragments read, other than its own; `clock` ones feed its clock (join and clock keys). */
  reads: Map<string, { clock: boolean }>;
  /** Column names the clock's fragments (join and clock) refer to. */
  clockColumns: Set<string>;
}

export function orderRules(rules: Rule[], catalog: Catalog, holdsSubjects: string | undefined): RuleOrder {
  const tables = rules.map((rule) => tablesOf(rule, catalog, holdsSubjects));
  const dependencies: RuleDependency[] = [];
  for (const reader of tables) {
    for (const writer of tables) {
      if (reader === writer) continue;
      for (const [table, { clock }] of reader.reads) {
        const write = writer.writes.get(table);
        if (!write) continue;
        // Rows deleted along with their clock's source lose nothing; a change matters only to the columns the clock reads.
        const deletesReaderRows = reader.own !== undefined && (writer.writes.get(reader.own)?.deletes ?? false);
        const takesClock = clock && (write.deletes ? !deletesReaderRows : [...write.columns].some((column) => reader.clockColumns.has(column)));
        dependencies.push({ before: reader.rule.id, after: writer.rule.id, reason: 'reads', table, clock: takesClock });
      }
    }
  }
  const ids = new Set(rules.map((rule) => rule.id));
  for (const rule of rules) for (const id of rule.after) if (ids.has(id)) dependencies.push({ before: id, after: rule.id, reason: 'after-key' });
  return { ...sortTopologically(rules.map((rule) => rule.id), dependencies), dependencies };
}

/**
 * Kahn's algorithm, always taking the earliest rule (file order) that is free;
 * when only a cycle is left, its earliest rule goes first and the dependencies
 * it breaks are returned.
 */
function sortTopologically(ids: string[], dependencies: RuleDependency[]): Pick<RuleOrder, 'order' | 'broken'> {
  const order: string[] = [];
  const broken: RuleDependency[] = [];
  const placed = new Set<string>();
  while (order.length < ids.length) {
    const waiting = (id: string) => dependencies.filter((dependency) => dependency.after === id && !placed.has(dependency.before) && dependency.before !== id);
    const free = ids.find((id) => !placed.has(id) && waiting(id).length === 0);
    const next = free ?? ids.find((id) => !placed.has(id))!;
    if (!free) broken.push(...waiting(next));
    order.push(next);
    placed.add(next);
  }
  return { order, broken };
}

function tablesOf(rule: Rule, catalog: Catalog, holdsSubjects: string | undefined): RuleTables {
  const table = catalog.tables.get(tableKey(rule.table));
  const own = table?.qualified;
  const deletes = rule.phases.some((phase) => phase.action === 'delete');
  const changed = new Set(rule.phases.flatMap((phase) => [...phase.set.map((change) => change.column), ...(phase.mark ? [phase.mark] : [])]));
  const writes = new Map<string, { deletes: boolean; columns: Set<string> }>(own ? [[own, { deletes, columns: changed }]] : []);
  if (table && deletes) for (const child of deletedChildren(rule, table, catalog)) writes.set(child, { deletes: true, columns: new Set() });
  const reads = new Map<string, { clock: boolean }>();
  const clockColumns = new Set<string>();
  const fragments: [FragmentKind, string | undefined, boolean][] = [
    ['join', rule.join, true],
    ['value', rule.clock, true],
    ['predicate', rule.where, false],
    ['predicate', rule.hold, false],
    ['value', rule.subject, false],
    ['query', rule.subject ? holdsSubjects : undefined, false],
  ];
  for (const [kind, text, clock] of fragments) {
    if (!text) continue;
    let references: ReturnType<typeof readFragmentReferences>;
    try {
      references = readFragmentReferences(kind, text);
    } catch (error) {
      if (isLetheError(error)) throw error; // the parser was not loaded: never order silently without it
      continue; // a fragment that does not parse is reported by the checks, not here
    }
    if (clock) for (const column of references.columns) clockColumns.add(column[column.length - 1]!);
    for (const reference of references.tables) {
      for (const qualified of resolveTable(reference, catalog)) {
        if (qualified === own) continue;
        reads.set(qualified, { clock: clock || (reads.get(qualified)?.clock ?? false) });
      }
    }
  }
  return { rule, own, writes, reads, clockColumns };
}

/** A table a fragment names -> the known tables it can stand for (by schema and name, or by name). */
function resolveTable(reference: { schema: string | undefined; name: string }, catalog: Catalog): string[] {
  const known = [...catalog.tables.values()];
  const exact = known.filter((info) => info.name === reference.name && (reference.schema === undefined || info.schema === reference.schema));
  if (reference.schema !== undefined || exact.length <= 1) return exact.map((info) => info.qualified);
  // Several schemas hold the name: an unqualified name means the first on search_path.
  const first = catalog.searchPath?.find((schema) => exact.some((info) => info.schema === schema));
  return first ? exact.filter((info) => info.schema === first).map((info) => info.qualified) : exact.map((info) => info.qualified);
}

/** Children a delete removes: the tables of its cascade trees and ON DELETE CASCADE ones, at any depth. */
function deletedChildren(rule: Rule, table: TableInfo, catalog: Catalog): string[] {
  const listed = new Set<string>();
  const walk = (nodes: CascadeNode[]) => {
    for (const node of nodes) {
      const qualified = catalog.tables.get(tableKey(node.table))?.qualified;
      if (qualified) listed.add(qualified);
      walk(node.children);
    }
  };
  walk(rule.cascade);
  const byQualified = new Map([...catalog.tables.values()].map((info) => [info.qualified, info]));
  const found = new Set<string>(listed);
  const visited = new Set<string>([table.qualified]);
  const queue: TableInfo[] = [table, ...[...listed].flatMap((qualified) => byQualified.get(qualified) ?? [])];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const foreignKey of parent.referencedBy) {
      if (foreignKey.table === table.qualified || !(foreignKey.onDelete === 'c' || listed.has(foreignKey.table))) continue;
      found.add(foreignKey.table);
      const child = byQualified.get(foreignKey.table);
      if (child && !visited.has(child.qualified)) {
        visited.add(child.qualified);
        queue.push(child);
      }
    }
  }
  return [...found];
}
/** The plan's rules in run order, each with the rules it waits for. */
export function orderPlan(plan: Plan, catalog: Catalog, holdsSubjects: string | undefined): Plan {
  const { order, dependencies, broken } = orderRules(plan.rules.map((planned) => planned.rule), catalog, holdsSubjects);
  const byId = new Map(plan.rules.map((planned) => [planned.rule.id, planned]));
  const kept = dependencies.filter((dependency) => !broken.includes(dependency));
  return {
    ...plan,
    rules: order.map((id) => ({ ...byId.get(id)!, runsAfter: kept.filter((dependency) => dependency.after === id) })),
  };
}

/** Why a rule waits for another, for the plan and the run report. */
export function describeDependency(dependency: RuleDependency): string {
  if (dependency.reason === 'after-key') return `runs after '${dependency.before}' (after: in the rule)`;
  return `runs after '${dependency.before}': it reads ${dependency.table}${dependency.clock ? ' for its clock' : ''}, which this rule deletes from or changes`;
}

/** The report's `runsAfter` of a planned rule (nothing when it waits for no rule). */
export function runsAfterOf(planned: PlannedRule): { runsAfter?: { rule: string; because: string }[] } {
  const dependencies = planned.runsAfter ?? [];
  return dependencies.length === 0 ? {} : { runsAfter: dependencies.map((dependency) => ({ rule: dependency.before, because: describeDependency(dependency) })) };
}
