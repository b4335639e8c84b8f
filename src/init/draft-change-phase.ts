import type { SchemaFacts, TableFacts } from '../classify/read-schema-facts.js';
import type { Classification } from '../classify/types.js';
import { suggestStrategy, type RulesStyle } from './suggest-strategy.js';
import { comment, yamlString } from './yaml-text.js';

/** The anonymize (or pseudonymize) phase for a table's personal columns, and which got no strategy. */
export function draftChangePhase(table: TableFacts, facts: SchemaFacts, personal: Classification[], style: RulesStyle, exclude: string[], after: string, todo: string): { lines: string[]; changed: string[]; skipped: string[] } {
  // A foreign key column links the row to its person or parent: the delete decides about it, not a strategy.
  const foreignKeyColumns = new Set(facts.foreignKeys.filter((fk) => fk.table === table.name).flatMap((fk) => fk.columns));
  const set: { column: string; strategy: string; found: Classification; hash: boolean }[] = [];
  const skipped: string[] = [];
  const mark = style === 'pseudonymize' ? table.columns.find((column) => !column.notNull && ['timestamptz', 'timestamp'].includes(column.baseType) && /^(pseudonymized|anonymized|processed)_at$/.test(column.column)) : undefined;
  for (const found of personal) {
    const column = table.columns.find((candidate) => candidate.column === found.column)!;
    if (table.primaryKey.includes(column.column) || exclude.includes(column.column) || foreignKeyColumns.has(column.column)) continue;
    const suggestion = suggestStrategy(found, column, table, mark ? style : 'anonymize');
    if ('skip' in suggestion) {
      skipped.push(`${column.column}: ${suggestion.skip}`);
      continue;
    }
    set.push({ column: column.column, strategy: suggestion.strategy, found, hash: suggestion.hash });
  }
  if (set.length === 0) return { lines: [], changed: [], skipped };
  const hashed = set.some((change) => change.hash);
  return {
    lines: [
      comment('      ', `TODO: ${todo}`),
      `      - after: ${after}`,
      `        action: ${hashed ? 'pseudonymize' : 'anonymize'}`,
      '        set:',
      ...set.map((change) => `          ${yamlString(change.column)}: ${change.strategy}  # ${change.found.category}: ${change.found.evidence.join(', ').replace(/#/g, '')}`),
      ...(hashed && mark ? [`        mark: ${yamlString(mark.column)}`] : []),
    ],
    changed: [...set.map((change) => change.column), ...(hashed && mark ? [mark.column] : [])],
    skipped,
  };
}
