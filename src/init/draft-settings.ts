import type { SchemaFacts, TableFacts } from '../classify/read-schema-facts.js';
import type { Classification } from '../classify/types.js';
import { comment, sqlName, yamlString } from './yaml-text.js';

const RELEASED = /^(released|lifted|ended|revoked|closed)_(at|on)$/;

/**
 * Pure: lethe.yaml for the draft: the holds query when one table of legal holds points at the
 * only person table, commented examples of `classify` and `coverage`, and the personal columns
 * of tables no drafted rule reaches.
 */
export function draftSettings(persons: TableFacts[], holds: TableFacts[], facts: SchemaFacts, unowned: Classification[], first: string | undefined): string {
  const lines = [comment('', 'Settings shared by every rule, drafted by lethe init. See docs/rules.md.')];
  const query = persons.length === 1 ? holdsQuery(persons[0]!, holds, facts, first) : undefined;
  if (query) {
    lines.push(
      comment('', 'TODO: confirm this query returns exactly the people under a legal hold: no rule touches their rows.'),
      'holds:',
      `  subjects: ${yamlString(query)}`,
    );
  } else {
    lines.push(comment('', 'TODO: legal holds. A query returning the subjects no rule may touch, e.g.'), comment('', 'holds:'), comment('', '  subjects: "SELECT user_id FROM legal_holds WHERE released_at IS NULL"'));
  }
  lines.push(
    'defaults:',
    '  batch: { target: 250ms, maxRows: 50000 }',
    comment('', 'The classifier behind lethe init and check --coverage can learn your names:'),
    comment('', 'classify:'),
    comment('', '  names: { account: [wx_openid] }'),
  );
  if (unowned.length > 0) {
    lines.push(
      comment('', 'TODO: personal columns in tables that reference no person table; no rule was drafted for them.'),
      comment('', 'Write rules for them, or list them in coverage.ignore with the reason:'),
      ...unowned.map((found) => comment('', `  ${found.table}.${found.column} (${found.category}: ${found.evidence.join(', ').replace(/#/g, '')})`)),
      comment('', 'coverage:'),
      comment('', '  ignore: { audit_log: "kept 10 years by law" }'),
    );
  }
  return lines.join('\n') + '\n';
}

/** `SELECT user_id FROM legal_holds WHERE released_at IS NULL`, from the hold table's foreign key to the person. */
function holdsQuery(person: TableFacts, holds: TableFacts[], facts: SchemaFacts, first: string | undefined): string | undefined {
  for (const hold of holds) {
    const fk = facts.foreignKeys.find((candidate) => candidate.table === hold.name && candidate.referencedTable === person.name && candidate.columns.length === 1);
    if (!fk) continue;
    const released = hold.columns.find((column) => RELEASED.test(column.column));
    const from = hold.schema === first ? sqlName(hold.relname) : `${sqlName(hold.schema)}.${sqlName(hold.relname)}`;
    return `SELECT ${sqlName(fk.columns[0]!)} FROM ${from}${released ? ` WHERE ${sqlName(released.column)} IS NULL` : ''}`;
  }
  return undefined;
}
