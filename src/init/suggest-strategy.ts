import type { TableFacts } from '../classify/read-schema-facts.js';
import type { Classification, ColumnFacts } from '../classify/types.js';

export type RulesStyle = 'anonymize' | 'pseudonymize';

/** The environment variable a drafted `hash` names; the key itself is never written anywhere. */
export const PSEUDONYM_KEY_ENV = 'LETHE_PSEUDONYM_KEY';

export type Suggestion = { strategy: string; hash: boolean } | { skip: string };

/** Categories a pseudonymize draft hashes: identifiers worth joining on across tables. */
const HASHED = new Set(['email', 'phone', 'account', 'national-id']);

/**
 * Pure: a strategy for one personal column, as YAML flow text, that fits its type and
 * constraints (so the draft passes `check`), or why none is drafted. Fixed points only
 * (null, value, generalize, mask), and hash in the pseudonymize style.
 */
export function suggestStrategy(found: Classification, column: ColumnFacts, table: TableFacts, style: RulesStyle): Suggestion {
  const unique = table.unique.some((columns) => columns.includes(column.column));
  const textual = column.category === 'S';
  if (style === 'pseudonymize' && HASHED.has(found.category) && ['text', 'varchar', 'bpchar'].includes(column.baseType) && !/\((\d|[1-5]\d|6[0-3])\)/.test(column.type)) {
    return { strategy: `{ hash: ${PSEUDONYM_KEY_ENV} }`, hash: true };
  }
  if (unique) return { skip: `unique: a fixed value or mask would collide; delete the row, or hash it in a pseudonymize phase` };
  const fixed = (strategy: string): Suggestion => ({ strategy, hash: false });
  if (found.category === 'ip' && ['inet', 'cidr'].includes(column.baseType)) return fixed('{ generalize: ip, bits: 24 }');
  if (found.category === 'phone' && textual) return fixed('{ mask: { keepStart: 3, keepEnd: 4 } }');
  if (found.category === 'birth' && ['date', 'timestamp', 'timestamptz'].includes(column.baseType)) return fixed('{ generalize: date, to: year }');
  if (found.category === 'geo' && column.category === 'N') return fixed('{ generalize: number, step: 1 }');
  if (!column.notNull) return fixed('null');
  if (['json', 'jsonb'].includes(column.baseType)) return fixed('{ value: "{}" }');
  if (textual) return fixed('{ mask: { keepStart: 0, keepEnd: 0 } }');
  return { skip: `NOT NULL ${column.type}: no fixed value fits every row; choose one, or delete the row` };
}
