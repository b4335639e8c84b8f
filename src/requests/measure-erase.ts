import type { Catalog } from '../catalog/types.js';
import { tableKey } from '../catalog/read-catalog.js';
import type { SqlClient } from '../db/sql-client.js';
import type { Plan, PlannedRule } from '../plan/types.js';
import type { Rule } from '../rules/types.js';
import { orderCascadeTables } from '../sql/build-cascade-predicates.js';
import { heldReasonsSql } from '../sql/build-predicates.js';
import { buildCascadeCountStatement, buildCountStatement } from '../sql/build-statements.js';
import { buildFoundSubjectsStatement, buildHeldSubjectsStatement, buildKeptByWhereStatement, buildSubjectRowsStatement } from '../sql/build-erase-statements.js';
import { subjectSetFor } from './attach-subjects.js';

export interface RuleCount {
  candidates: number;
  held: number;
  heldBy: { reason: 'subject' | 'hold' | 'cascade'; table?: string; rows: number }[];
  keptByWhere: number;
  cascades: { table: string; by: 'rule' | 'database'; rows: number }[];
}

export interface EraseMeasure {
  rules: Map<string, RuleCount>;
  /** request: skip rules: the people's rows they keep. */
  skipped: Map<string, number>;
  /** Ids found in at least one rule's table (as given). */
  found: Set<string>;
  /** Ids on hold for this kind. */
  held: Set<string>;
  /** The people's rows in each rule's table now (through its join), by rule id. */
  rows: Map<string, number>;
}

/** A skipped rule seen only for counting: its table and subject. */
export type SkippedRule = Pick<PlannedRule, 'rule' | 'table'>;

export function skippedRulesOf(rules: Rule[], catalog: Catalog): SkippedRule[] {
  return rules.flatMap((rule) => {
    const table = catalog.tables.get(tableKey(rule.table));
    return table ? [{ rule, table }] : [];
  });
}

/** Counts an erasure inside the caller's READ ONLY snapshot: what each rule would change, and what stays and why. */
export async function measureErase(client: SqlClient, plan: Plan, skipped: SkippedRule[], catalog: Catalog, ids: string[], holdsQuery: string | undefined): Promise<EraseMeasure> {
  const rules = new Map<string, RuleCount>();
  const found = new Set<string>();
  const rows = await countSubjectRows(client, plan);
  for (const planned of plan.rules) {
    const window = planned.phases[0]!;
    rules.set(planned.rule.id, await countRule(client, planned));
    for (const id of await readFound(client, planned, window.subjects!)) found.add(id);
  }
  const skippedRows = new Map<string, number>();
  for (const rule of skipped) {
    const subjects = subjectSetFor(rule, catalog, ids);
    const result = await client.query<{ rows: string }>(buildSubjectRowsStatement(rule, subjects));
    skippedRows.set(rule.rule.id, Number(result.rows[0]?.rows ?? 0));
    rows.set(rule.rule.id, Number(result.rows[0]?.rows ?? 0));
    for (const id of await readFound(client, rule, subjects)) found.add(id);
  }
  const held = new Set<string>();
  if (holdsQuery) for (const row of (await client.query<{ v: string }>(buildHeldSubjectsStatement(holdsQuery, ids))).rows) held.add(row.v);
  return { rules, skipped: skippedRows, found, held, rows };
}

/** The people's rows in each applied rule's table, through its join: before an erasure, and after it for the receipt. */
export async function countSubjectRows(client: SqlClient, plan: Plan): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  for (const planned of plan.rules) {
    const result = await client.query<{ rows: string }>(buildSubjectRowsStatement(planned, planned.phases[0]!.subjects!));
    rows.set(planned.rule.id, Number(result.rows[0]?.rows ?? 0));
  }
  return rows;
}

async function readFound(client: SqlClient, rule: SkippedRule, subjects: NonNullable<PlannedRule['phases'][number]['subjects']>): Promise<string[]> {
  if (subjects.values.length === 0) return [];
  return (await client.query<{ v: string }>(buildFoundSubjectsStatement(rule, subjects))).rows.map((row) => row.v);
}

async function countRule(client: SqlClient, planned: PlannedRule): Promise<RuleCount> {
  const window = planned.phases[0]!;
  const row = (await client.query<Record<string, string | null>>(buildCountStatement(planned, window))).rows[0]!;
  const candidates = Number(row.candidates);
  const held = Number(row.held);
  const reasons = heldReasonsSql(planned, true);
  const heldBy =
    held === 0 ? [] : reasons.length > 1 ? reasons.map((reason, index) => ({ reason: reason.reason, ...(reason.table ? { table: reason.table } : {}), rows: Number(row[`held_${index}`]) })).filter((entry) => entry.rows > 0) : [{ reason: reasons[0]!.reason, ...(reasons[0]!.table ? { table: reasons[0]!.table } : {}), rows: held }];
  const cascades: RuleCount['cascades'] = [];
  if (window.phase.action === 'delete' && candidates > 0) {
    for (const by of ['rule', 'database'] as const) {
      for (const table of orderCascadeTables(planned.cascades, by) ?? []) {
        const result = await client.query<{ rows: string }>(buildCascadeCountStatement(planned, window, table));
        cascades.push({ table: table.cascades[0]!.table.qualified.replace(/"/g, ''), by, rows: Number(result.rows[0]?.rows ?? 0) });
      }
    }
  }
  const keptByWhere = planned.rule.where ? Number((await client.query<{ rows: string }>(buildKeptByWhereStatement(planned, window.subjects!))).rows[0]?.rows ?? 0) : 0;
  return { candidates, held, heldBy, keptByWhere, cascades };
}


