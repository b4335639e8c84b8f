import { tableKey } from '../catalog/read-catalog.js';
import type { Catalog, TableInfo } from '../catalog/types.js';
import { resolveKey } from '../plan/build-plan.js';
import type { Plan, PlannedRule, SubjectSet } from '../plan/types.js';

const INTEGER_RANGES: Record<string, bigint> = { smallint: 2n ** 15n, integer: 2n ** 31n, bigint: 2n ** 63n };
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * The plan of an erasure: each rule's one phase selects the rows of these
 * subjects, whatever their clock, walked in key order (only their rows are
 * visited, never the whole table by pages or partitions).
 */
export function attachSubjects(plan: Plan, catalog: Catalog, ids: readonly string[]): Plan {
  return {
    ...plan,
    rules: plan.rules.map((planned): PlannedRule => {
      const subjects = subjectSetFor(planned, catalog, ids);
      return {
        ...planned,
        key: planned.key.length > 0 ? planned.key : resolveKey(planned.rule, planned.table),
        phases: planned.phases.map((window) => ({ ...window, walk: 'key', olderBound: undefined, subjects })),
      };
    }),
  };
}

/** The ids as the subject column's type, dropping those the type cannot hold (they name nobody in this table). */
export function subjectSetFor(planned: Pick<PlannedRule, 'rule' | 'table'>, catalog: Catalog, ids: readonly string[]): SubjectSet {
  const type = comparableType(subjectColumnType(planned, catalog));
  return { type, values: type ? ids.filter((id) => fitsType(id, type)) : [...ids] };
}

/** `users.id`, `device_logs.user_id` or `user_id`: the column's type; undefined for an expression. */
export function subjectColumnType(planned: Pick<PlannedRule, 'rule' | 'table'>, catalog: Catalog): string | undefined {
  const match = planned.rule.subject ? /^\s*(?:"?([A-Za-z_][\w$]*)"?\.)?"?([A-Za-z_][\w$]*)"?\s*$/.exec(planned.rule.subject) : null;
  if (!match) return undefined;
  const ownerName = match[1] ?? planned.table.name;
  const owner: TableInfo | undefined =
    ownerName === planned.table.name ? planned.table : (catalog.tables.get(tableKey({ schema: undefined, name: ownerName })) ?? [...catalog.tables.values()].find((table) => table.name === ownerName));
  return owner?.columns.get(match[2]!)?.type;
}

/** Types the array is cast to (the column's index serves `= ANY`); varchar compares as text (a cast to varchar(n) would cut ids). */
function comparableType(type: string | undefined): string | undefined {
  if (type === undefined) return undefined;
  if (type in INTEGER_RANGES || type === 'uuid' || type === 'text') return type;
  if (type.startsWith('character varying')) return 'text';
  return undefined;
}

export function fitsType(id: string, type: string): boolean {
  const range = INTEGER_RANGES[type];
  if (range !== undefined) {
    if (!/^[+-]?\d{1,20}$/.test(id)) return false;
    const value = BigInt(id);
    return value >= -range && value < range;
  }
  if (type === 'uuid') return UUID.test(id);
  return true;
}
