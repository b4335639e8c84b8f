import type { PlannedPhase, PlannedRule, SubjectSet } from '../plan/types.js';
import { isFixedPoint, strategySql } from '../strategies/index.js';
import { childrenOf, descendantsHeldSql } from './build-cascade-predicates.js';
import { fragment, joinFragment, Params, qualify, quoteIdent } from './quote.js';

/** `"public"."device_logs"` plus the rule's join: what every statement selects from. */
export function fromClause(planned: Pick<PlannedRule, 'rule' | 'table'>): string {
  return planned.rule.join ? `${planned.table.qualified}${joinFragment(planned.rule.join, planned.rule.table)}` : planned.table.qualified;
}

/** A target column as the rule's fragments would name it: `"device_logs"."ip"`. */
export function targetColumn(planned: PlannedRule, column: string): string {
  return qualify(planned.table.name, column);
}

export function keyList(planned: PlannedRule): string {
  return planned.key.map((key) => targetColumn(planned, key.name)).join(', ');
}

/**
 * Rows due for this phase: in its window on the clock and matching the rule's
 * `where`, and still needing work unless `pending: false` (listing the rows of
 * a batch whose values break the strategy: its own expression would fail).
 */
export function dueSql(planned: PlannedRule, window: PlannedPhase, params: Params, options: { pending?: boolean } = {}): string {
  const parts = window.subjects ? [subjectMatchSql(planned, window.subjects, params)] : [`${fragment(planned.rule.clock, 'value')} < ${cutoffSql(planned, window.cutoff, params)}`];
  if (window.olderBound && !window.subjects) parts.push(`${fragment(planned.rule.clock, 'value')} >= ${cutoffSql(planned, window.olderBound, params)}`);
  if (planned.rule.where) parts.push(fragment(planned.rule.where, 'predicate'));
  const pending = options.pending === false ? undefined : pendingSql(planned, window, params);
  if (pending) parts.push(pending);
  return parts.join('\nAND ');
}

/**
 * An erasure's selection: the rule's subject is one of the requested people,
 * sent as one bound array (never one statement per person). Through the rule's
 * join when the subject lives there (`models.owner_id`).
 */
export function subjectMatchSql(planned: Pick<PlannedRule, 'rule'>, subjects: SubjectSet, params: Params): string {
  if (!planned.rule.subject) throw new Error(`internal: rule '${planned.rule.id}' has no subject to erase by`);
  const subject = fragment(planned.rule.subject, 'value');
  return subjects.type ? `${subject} = ANY(${params.add(subjects.values, `${subjects.type}[]`)})` : `(${subject})::text = ANY(${params.add(subjects.values, 'text[]')})`;
}

/**
 * A cutoff as the clock's own type. A timestamptz clock compares with the
 * instant; a date or timestamp clock holds wall time, so the instant becomes
 * wall time in the rule's timezone (a date compares as its midnight there).
 * The clock itself stays bare, so an index on it still serves the comparison.
 */
export function cutoffSql(planned: Pick<PlannedRule, 'rule' | 'clockType'>, instant: Date, params: Params): string {
  const at = params.add(instant.toISOString(), 'timestamptz');
  return isWallClock(planned) ? `(${at} AT TIME ZONE ${params.add(planned.rule.timezone, 'text')})` : at;
}

/** A clock value (e.g. the oldest one) as an instant: wall time is read in the rule's timezone. */
export function clockInstantSql(planned: Pick<PlannedRule, 'rule' | 'clockType'>, clockValue: string, params: Params): string {
  return isWallClock(planned) ? `((${clockValue})::timestamp AT TIME ZONE ${params.add(planned.rule.timezone, 'text')})` : clockValue;
}

function isWallClock(planned: Pick<PlannedRule, 'clockType'>): boolean {
  return planned.clockType === 'date' || planned.clockType === 'timestamp';
}

/**
 * `match` (the batch's keys or row positions) and `condition` for those rows
 * only: CASE fixes the order, so the strategy's expression inside `condition`
 * is never evaluated for a row outside the batch (whatever order the planner
 * picks for the quals), and a row whose value breaks it fails only its own batch.
 */
export function onlyMatchedSql(match: string, condition: string): string {
  return `${match}\nAND CASE WHEN ${match} THEN (${condition}) ELSE false END`;
}

/**
 * "Still needs work": a processed row is never selected by its phase again.
 * Fixed-point strategies say it in SQL; the others rely on the mark column.
 */
export function pendingSql(planned: PlannedRule, window: PlannedPhase, params: Params): string | undefined {
  if (window.phase.action === 'delete') return undefined;
  if (window.phase.mark) return `${targetColumn(planned, window.phase.mark)} IS NULL`;
  // Cheapest tests first: OR stops at the first true one, so on a row not yet done the strategies
  // that compute (generalize, mask, json) are not evaluated once a `null` or constant column still
  // differs; only a row whose cheap columns are at their fixed point pays for the others.
  const tests = window.changes
    .filter((change) => isFixedPoint(change.strategy))
    .map((change) => ({ change, cost: change.strategy.kind === 'null' ? 0 : change.strategy.kind === 'value' ? 1 : 2 }))
    .sort((a, b) => a.cost - b.cost)
    .map(({ change }) => {
      const current = targetColumn(planned, change.column);
      if (change.strategy.kind === 'null') return `${current} IS NOT NULL`;
      const next = strategySql(change.strategy, current, change.info, params)!;
      return change.info.baseType === 'json' ? `(${current})::jsonb IS DISTINCT FROM (${next})::jsonb` : `${current} IS DISTINCT FROM ${next}`;
    });
  return tests.length > 0 ? `(${tests.join('\n  OR ')})` : undefined;
}

/**
 * Rows that no rule may touch: the person is on hold, the rule's own `hold` says so,
 * or (a delete) a row the delete would take along belongs to a held person.
 */
export function heldSql(planned: Pick<PlannedRule, 'rule' | 'holdsSubjects'> & Partial<Pick<PlannedRule, 'table' | 'cascades'>>): string {
  const parts = heldReasonsSql(planned).map((reason) => reason.sql);
  return parts.length > 0 ? `(${parts.join(' OR ')})` : 'false';
}

export interface HeldReason {
  reason: 'subject' | 'hold' | 'cascade';
  /** For `cascade`: the table of the held rows a delete would take along. */
  table?: string;
  sql: string;
}

/** Each reason a row can be held for, as its own predicate; per table of the cascade tree with `perTable`. */
export function heldReasonsSql(planned: Pick<PlannedRule, 'rule' | 'holdsSubjects'> & Partial<Pick<PlannedRule, 'table' | 'cascades'>>, perTable = false): HeldReason[] {
  const reasons: HeldReason[] = [];
  if (planned.rule.subject && planned.holdsSubjects) {
    reasons.push({ reason: 'subject', sql: `coalesce(${fragment(planned.rule.subject, 'value')} = ANY(ARRAY${fragment(planned.holdsSubjects, 'query')}), false)` });
  }
  if (planned.rule.hold) reasons.push({ reason: 'hold', sql: `coalesce(${fragment(planned.rule.hold, 'predicate')}, false)` });
  const cascades = planned.cascades ?? [];
  if (planned.table && cascades.length > 0) {
    const roots = childrenOf(cascades, undefined);
    const tables = perTable ? [...new Set(cascades.filter((cascade) => cascade.subjects.length > 0).map((cascade) => cascade.table.qualified))] : [undefined];
    for (const table of tables) {
      const sql = descendantsHeldSql(planned.table.name, roots, cascades, table);
      if (sql) reasons.push({ reason: 'cascade', ...(table ? { table: table.replace(/"/g, '') } : {}), sql });
    }
  }
  return reasons;
}

/** Matches the target's keys against bound arrays, one per key column. */
export function keyMatchSql(planned: PlannedRule, keys: unknown[][], params: Params): string {
  if (planned.key.length === 1) {
    const [key] = planned.key;
    return `${targetColumn(planned, key!.name)} = ANY(${params.add(keys[0], `${key!.type}[]`)})`;
  }
  const arrays = planned.key.map((key, index) => params.add(keys[index], `${key.type}[]`));
  return `(${keyList(planned)}) IN (SELECT * FROM unnest(${arrays.join(', ')}))`;
}

/** Keyset position: strictly after `after` and at or before the high-water mark. */
export function keyRangeSql(planned: PlannedRule, after: string[] | undefined, highWater: string[], params: Params): string {
  const castAll = (values: string[]) => values.map((value, index) => params.add(value, planned.key[index]!.type)).join(', ');
  const columns = `(${keyList(planned)})`;
  const parts = [`${columns} <= (${castAll(highWater)})`];
  if (after) parts.unshift(`${columns} > (${castAll(after)})`);
  return parts.join(' AND ');
}

export { quoteIdent };
