import { buildPlan } from '../plan/build-plan.js';
import type { PlannedRule } from '../plan/types.js';
import { holdsQueryFor, type CascadeNode, type HoldSettings, type Rule, type RuleProblem, type RuleSet } from '../rules/types.js';
import { fromClause, heldSql } from '../sql/build-predicates.js';
import { orderCascadeTables } from '../sql/build-cascade-predicates.js';
import {
  buildCascadeCountStatement,
  buildCascadeDeleteStatements,
  buildCascadeLockStatement,
  buildCountStatement,
  buildDeleteStatement,
  buildSelectBatchStatement,
  buildUpdateStatement,
} from '../sql/build-statements.js';
import { fragment, type Statement } from '../sql/quote.js';
import { buildPageDeleteStatement, buildPageSourceStatement, buildPageUpdateStatement } from '../sql/build-page-statements.js';
import { castTypeOf, createFakeGenerator } from '../strategies/index.js';
import { trySavepoint, type SqlClient } from '../db/sql-client.js';
import type { Catalog, ClockType } from './types.js';
import { tableKey } from './read-catalog.js';
import { foldedNameHint } from './folded-name-hint.js';

const DATE_TIME_OIDS = new Map<number, ClockType>([
  [1082, 'date'],
  [1114, 'timestamp'],
  [1184, 'timestamptz'],
]);

/**
 * Checks each fragment on its own (so an error names its key), then EXPLAINs
 * every statement the engine would send. Runs inside the caller's READ ONLY
 * transaction; nothing is executed but LIMIT 0 type probes.
 */
export async function probeRules(
  client: SqlClient,
  ruleSet: RuleSet,
  catalog: Catalog,
  now: Date,
  /** Rules with catalog errors: their fragments are probed, but no plan can be built for them. */
  broken: Set<Rule> = new Set(),
  /** Rules the role may only read: only the statements a plan sends are EXPLAINed. */
  readOnly: Set<Rule> = new Set(),
): Promise<RuleProblem[]> {
  const problems: RuleProblem[] = [];
  for (const rule of ruleSet.rules) {
    const report = (path: (string | number)[], check: string, message: string) => {
      const at = rule.source.locate(path);
      problems.push({ severity: 'error', check, file: rule.source.file, line: at.line, column: at.column, path: at.path, message });
    };
    const table = catalog.tables.get(tableKey(rule.table));
    if (!table) continue;
    const holdsSubjects = rule.subject ? holdsQueryFor(ruleSet.holds, rule.subjectKind) : undefined;
    const fragmentsOk = (await probeFragments(client, { rule, table, holdsSubjects }, report, (type) => (catalog.clockTypes ??= new Map()).set(rule.id, type))) && (await probeCascadeSubjects(client, rule, catalog, ruleSet.holds, report));
    if (!fragmentsOk || broken.has(rule)) continue;
    const planned = buildPlan({ ...ruleSet, rules: [rule] }, catalog, now).rules[0]!;
    await explainEngineStatements(client, planned, report, readOnly.has(rule));
    await probeFakeValues(client, planned, report);
  }
  return problems;
}

type Report = (path: (string | number)[], check: string, message: string) => void;

async function probeFragments(
  client: SqlClient,
  planned: Pick<PlannedRule, 'rule' | 'table' | 'holdsSubjects'>,
  report: Report,
  /** Told the clock's type: a date or timestamp clock is read in the rule's timezone. */
  onClockType: (type: ClockType) => void,
): Promise<boolean> {
  const rule: Rule = planned.rule;
  const from = fromClause(planned);
  const probes: { key: string; statement: string; clock?: boolean }[] = [];
  if (rule.join) probes.push({ key: 'join', statement: `EXPLAIN SELECT 1 FROM ${from}` });
  probes.push({ key: 'clock', statement: `SELECT ${fragment(rule.clock, 'value')} AS clock FROM ${from} LIMIT 0`, clock: true });
  if (rule.where) probes.push({ key: 'where', statement: `EXPLAIN SELECT 1 FROM ${from} WHERE ${fragment(rule.where, 'predicate')}` });
  if (rule.subject) probes.push({ key: 'subject', statement: `EXPLAIN SELECT ${fragment(rule.subject, 'value')} FROM ${from}` });
  if (rule.hold) probes.push({ key: 'hold', statement: `EXPLAIN SELECT 1 FROM ${from} WHERE ${fragment(rule.hold, 'predicate')}` });
  if (rule.subject && planned.holdsSubjects) probes.push({ key: 'subject', statement: `EXPLAIN SELECT 1 FROM ${from} WHERE ${heldSql(planned)}` });
  let ok = true;
  for (const probe of probes) {
    const result = await trySavepoint(client, () => client.query(probe.statement));
    if (!result.ok) {
      ok = false;
      const holds = probe.statement.includes('ANY(ARRAY') ? ' (with the holds query of lethe.yaml)' : '';
      report([probe.key], 'sql-error', `${serverMessage(result.error)}${await foldedNameHint(client, result.error)}${holds}`);
      if (probe.key === 'join') return false;
    } else if (probe.clock) {
      const type = result.value.fields[0]?.dataTypeID;
      if (type !== undefined && !DATE_TIME_OIDS.has(type)) {
        ok = false;
        report(['clock'], 'clock-not-time', 'the clock must be a date or timestamp expression');
      } else if (type !== undefined) {
        onClockType(DATE_TIME_OIDS.get(type)!);
      }
    }
  }
  return ok;
}

/** A subject written on a table of a cascade tree must be an expression over that table, with a holds query of its kind. */
async function probeCascadeSubjects(client: SqlClient, rule: Rule, catalog: Catalog, holds: HoldSettings, report: Report): Promise<boolean> {
  let ok = true;
  const visit = async (nodes: CascadeNode[]): Promise<void> => {
    for (const node of nodes) {
      const table = catalog.tables.get(tableKey(node.table));
      const query = holdsQueryFor(holds, node.subjectKind);
      if (table && node.subject) {
        const held = query ? ` = ANY(ARRAY${fragment(query, 'query')})` : '';
        const result = await trySavepoint(client, () => client.query(`EXPLAIN SELECT ${fragment(node.subject!, 'value')}${held} FROM ${table.qualified}`));
        if (!result.ok) {
          ok = false;
          report([...node.path, 'subject'], 'sql-error', `${serverMessage(result.error)}${held ? ' (with the holds query of its kind)' : ''}`);
        }
      }
      await visit(node.children);
    }
  };
  await visit(rule.cascade);
  return ok;
}

async function explainEngineStatements(client: SqlClient, planned: PlannedRule, report: Report, countsOnly: boolean): Promise<void> {
  const sampleKeys = planned.key.map(() => [] as unknown[]);
  // NULL casts to any key type ('0' would not to a uuid or a timestamp); EXPLAIN only needs the types.
  const sampleHighWater = planned.key.map(() => null) as unknown as string[];
  for (const [index, window] of planned.phases.entries()) {
    const statements: { name: string; statement: Statement }[] = [{ name: 'count', statement: buildCountStatement(planned, window) }];
    if (window.walk !== 'key') {
      const hashed = window.changes.filter((change) => change.strategy.kind === 'hash').map((change) => change.column);
      const nodeValues = hashed.length > 0 ? { ctids: [], columns: new Map(hashed.map((column) => [column, [] as (string | null)[]])) } : undefined;
      if (nodeValues) statements.push({ name: 'source select', statement: buildPageSourceStatement(planned, window, { fromPage: 0, toPage: 1, skipLocked: true }, hashed) });
      statements.push(
        window.phase.action === 'delete'
          ? { name: 'delete', statement: buildPageDeleteStatement(planned, window, 0, 1, true) }
          : { name: 'update', statement: buildPageUpdateStatement(planned, window, 0, 1, true, { fakePools: new Map(window.changes.filter((change) => change.strategy.kind === 'fake').map((change) => [change.column, ['']])), nodeValues, markValue: new Date(0) }) },
      );
    } else if (window.phase.action === 'delete') {
      statements.push({ name: 'batch select', statement: buildSelectBatchStatement(planned, window, sampleHighWater, sampleHighWater, 1) });
      statements.push({ name: 'delete', statement: buildDeleteStatement(planned, window, sampleKeys) });
      const batch = { values: new Map([...planned.table.columns.keys()].map((column) => [column, [] as string[]])), keys: sampleKeys };
      for (const table of orderCascadeTables(planned.cascades, 'rule') ?? []) {
        const name = table.cascades[0]!.table.qualified;
        statements.push({ name: `cascade lock ${name}`, statement: buildCascadeLockStatement(planned, table, batch) });
        for (const statement of buildCascadeDeleteStatements(planned, table, batch)) statements.push({ name: `cascade delete ${name}`, statement });
      }
    } else {
      statements.push({ name: 'batch select', statement: buildSelectBatchStatement(planned, window, sampleHighWater, sampleHighWater, 1) });
      // Values made in Node: fakes and pseudonyms (as the executor does).
      const fromNode = window.changes.filter((change) => change.strategy.kind === 'fake' || change.strategy.kind === 'hash');
      const nodeValues = new Map(fromNode.map((change) => [change.column, [] as (string | null)[]]));
      statements.push({ name: 'update', statement: buildUpdateStatement(planned, window, { keys: sampleKeys, nodeValues, markValue: new Date(0) }) });
    }
    if (window.phase.action === 'delete') {
      for (const by of ['rule', 'database'] as const) {
        for (const table of orderCascadeTables(planned.cascades, by) ?? []) {
          statements.push({ name: `cascade count ${table.cascades[0]!.table.qualified}`, statement: buildCascadeCountStatement(planned, window, table) });
        }
      }
    }
    for (const { name, statement } of statements) {
      if (countsOnly && !/^(count|cascade count)/.test(name)) continue;
      const result = await trySavepoint(client, () => client.query({ text: `EXPLAIN ${statement.text}`, values: statement.values }));
      if (!result.ok) report(['phases', window.phase.index], 'sql-error', `the ${name} statement of phase ${index + 1} fails: ${serverMessage(result.error)}`);
    }
  }
}

/** A fake value must fit its column's type: cast one and see. */
async function probeFakeValues(client: SqlClient, planned: PlannedRule, report: Report): Promise<void> {
  if (!planned.phases.some((window) => window.changes.some((change) => change.strategy.kind === 'fake'))) return;
  const generate = await createFakeGenerator();
  for (const window of planned.phases) {
    for (const change of window.changes) {
      if (change.strategy.kind !== 'fake') continue;
      let value: string;
      try {
        value = generate(change.strategy, change.info);
      } catch (error) {
        // validate calls each method once too; this keeps check from crashing should one fail only sometimes.
        report(['phases', window.phase.index, 'set', change.column], 'fake-needs-arguments', `faker's ${change.strategy.module}.${change.strategy.method} failed: ${(error as Error)?.message ?? String(error)}`);
        continue;
      }
      const result = await trySavepoint(client, () => client.query({ text: `SELECT $1::text::${castTypeOf(change.info)}`, values: [value] }));
      if (!result.ok) {
        report(['phases', window.phase.index, 'set', change.column], 'wrong-column-type', `a ${change.strategy.module}.${change.strategy.method} value does not fit ${change.info.type}: ${serverMessage(result.error)}`);
      }
    }
  }
}

export function serverMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const hint = (error as { hint?: string }).hint;
  return hint ? `${error.message} (${hint.replace(/\.$/, '')})` : error.message;
}
