import type { SchemaFacts, TableFacts } from '../classify/read-schema-facts.js';
import { writeTableName } from '../rules/identifiers.js';
import { yamlString } from './yaml-text.js';

/** Tables whose rows reference a deleted row with NO ACTION or RESTRICT, with theirs in turn: `[a, { b: [c] }]`. */
export function draftCascade(table: TableFacts, facts: SchemaFacts, first: string | undefined, seen: Set<string>): string[] {
  const entries: string[] = [];
  for (const fk of facts.foreignKeys) {
    if (fk.referencedTable !== table.name || fk.table === table.name || !['a', 'r'].includes(fk.onDelete) || seen.has(fk.table)) continue;
    const child = facts.tables.find((candidate) => candidate.name === fk.table);
    if (!child) continue;
    seen.add(child.name);
    const name = yamlString(writeTableName(child.schema, child.relname, first));
    const below = draftCascade(child, facts, first, seen);
    entries.push(below.length > 0 ? `{ ${name}: [${below.join(', ')}] }` : name);
  }
  return entries;
}
