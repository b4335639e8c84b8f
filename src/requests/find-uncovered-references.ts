import { tableKey } from '../catalog/read-catalog.js';
import type { Catalog } from '../catalog/types.js';
import { resolveCascades } from '../plan/build-plan.js';
import type { RuleSet } from '../rules/types.js';
import type { SubjectTable } from './find-subject-tables.js';
import type { SubjectReference } from './read-subject-references.js';

/** `check --requests`: where a person's rows would survive a request, because no rule reaches them. */
export interface RequestCoverage {
  /** The tables people live in, as `schema.table.column` (`public.users.id`). */
  subjects: string[];
  /** Tables any rule with a subject reaches: as its table, or in its cascade tree. */
  covered: string[];
  uncovered: UncoveredReference[];
}

export interface UncoveredReference {
  /** `public.device_logs` */
  table: string;
  column: string;
  /** `public.users.id` */
  references: string;
  via: 'foreign-key' | 'name' | 'subject-table';
}

/**
 * Pure: every table holding a column that references a subject table (and the subject table
 * itself) that no rule with a subject reaches, neither as its table nor in a cascade tree
 * (the database's ON DELETE CASCADE included). A request about one person would leave
 * those rows. A `where` may still leave rows of a covered table: the erase receipt lists those.
 */
export function findUncoveredReferences(ruleSet: RuleSet, catalog: Catalog, subjects: SubjectTable[], references: SubjectReference[]): RequestCoverage {
  const covered = new Set<string>();
  for (const rule of ruleSet.rules) {
    if (!rule.subject) continue;
    const table = catalog.tables.get(tableKey(rule.table));
    if (!table) continue;
    covered.add(table.qualified);
    for (const cascade of resolveCascades(rule, table, catalog, ruleSet.holds)) covered.add(cascade.table.qualified);
  }
  const subjectName = (qualified: string) => {
    const subject = subjects.find((candidate) => candidate.table.qualified === qualified);
    return `${plain(qualified)}.${subject?.column ?? '?'}`;
  };
  const uncovered: UncoveredReference[] = [];
  for (const subject of subjects) {
    if (!covered.has(subject.table.qualified)) uncovered.push({ table: plain(subject.table.qualified), column: subject.column, references: subjectName(subject.table.qualified), via: 'subject-table' });
  }
  for (const reference of references) {
    if (!covered.has(reference.table)) uncovered.push({ table: plain(reference.table), column: reference.column, references: subjectName(reference.references), via: reference.via });
  }
  return { subjects: subjects.map((subject) => subjectName(subject.table.qualified)), covered: [...covered].map(plain).sort(), uncovered };
}

/** `"public"."device_logs"` -> `public.device_logs` (for reading; quotes only where a name needs them). */
function plain(qualified: string): string {
  return (qualified.match(/"(?:[^"]|"")*"/g) ?? [qualified])
    .map((part) => part.slice(1, -1).replace(/""/g, '"'))
    .map((part) => (/^[a-z_][a-z0-9_$]*$/.test(part) ? part : `"${part.replace(/"/g, '""')}"`))
    .join('.');
}
