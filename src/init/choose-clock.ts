import { tokenizeName } from '../classify/tokenize-name.js';
import type { ColumnFacts } from '../classify/types.js';
import type { TableFacts } from '../classify/read-schema-facts.js';

const TIME_TYPES = new Set(['timestamptz', 'timestamp', 'date']);

/** The first word of a column name that says an account was closed: its clock for a person table. */
const CLOSED_WORDS = ['cancelled', 'canceled', 'deleted', 'closed', 'deactivated', 'terminated'];
const LAST_USE_WORDS = ['last_login', 'last_seen', 'last_active', 'last_activity', 'last_used', 'last_sign_in'];
/** A row's own age: when it was made or last changed, preferred in this order. */
const AGE_WORDS = ['created', 'inserted', 'logged', 'collected', 'occurred', 'recorded', 'sent', 'received', 'timestamp', 'last_seen', 'updated', 'modified'];

/** Pure: the column of a person table that says the account was closed (users.cancelled_at), if any. */
export function findClosedColumn(table: TableFacts): ColumnFacts | undefined {
  return findByWords(table, CLOSED_WORDS);
}

/** Pure: a person table's clock: closed, else last used, else its own age. */
export function choosePersonClock(table: TableFacts): { column: ColumnFacts; meaning: string } | undefined {
  const closed = findClosedColumn(table);
  if (closed) return { column: closed, meaning: 'after the account is closed' };
  const lastUse = findByWords(table, LAST_USE_WORDS);
  if (lastUse) return { column: lastUse, meaning: 'after the account was last used' };
  const age = findByWords(table, AGE_WORDS);
  return age && { column: age, meaning: 'after the row was written' };
}

/** Pure: a row's own age (created_at, logged_at, updated_at...), if the table has one. */
export function chooseRowClock(table: TableFacts): ColumnFacts | undefined {
  return findByWords(table, AGE_WORDS);
}

function findByWords(table: TableFacts, phrases: string[]): ColumnFacts | undefined {
  const times = table.columns.filter((column) => TIME_TYPES.has(column.baseType));
  for (const phrase of phrases) {
    const found = times.find((column) => tokenizeName(column.column).join('_').startsWith(phrase));
    if (found) return found;
  }
  return undefined;
}
