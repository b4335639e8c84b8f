import type { Knex } from 'knex';
import type { Catalog } from '../catalog/types.js';
import { withReadOnlySnapshot } from '../db/sql-client.js';
import { loadFragmentParser } from '../rules/parse-fragment.js';
import type { RuleSet } from '../rules/types.js';
import { DEFAULT_STATE_SCHEMA } from '../state/ensure-state-schema.js';
import { findSubjectTables } from './find-subject-tables.js';
import { findUncoveredReferences, type RequestCoverage } from './find-uncovered-references.js';
import { readSubjectReferences } from './read-subject-references.js';

/** `check --requests`: the catalog read in a READ ONLY snapshot, then the pure comparison. */
export async function checkRequestCoverage(db: Knex, ruleSet: RuleSet, catalog: Catalog, stateSchema = DEFAULT_STATE_SCHEMA): Promise<RequestCoverage> {
  await loadFragmentParser();
  const subjects = findSubjectTables(ruleSet.rules, catalog);
  const references = await withReadOnlySnapshot(db, (client) => readSubjectReferences(client, subjects, stateSchema));
  return findUncoveredReferences(ruleSet, catalog, subjects, references);
}

/** Text lines for `check`: one per uncovered column, then a summary line. */
export function renderRequestCoverage(coverage: RequestCoverage): string[] {
  const lines = coverage.uncovered.map((item) =>
    item.via === 'subject-table'
      ? `requests: warning: ${item.table} holds the people themselves (${item.references}) and no rule with a subject reaches it: a request would leave their rows`
      : `requests: warning: ${item.table}.${item.column} references ${item.references}${item.via === 'name' ? ' (by its name; no foreign key)' : ''} and no rule with a subject reaches ${item.table}: a request would leave its rows; add a rule, or a cascade entry to a rule that deletes ${item.references.split('.').slice(0, -1).join('.')}`,
  );
  const subjects = coverage.subjects.length > 0 ? coverage.subjects.join(', ') : 'no table (no rule names a subject column)';
  lines.push(`requests: people live in ${subjects}; ${coverage.covered.length} table${coverage.covered.length === 1 ? '' : 's'} reached by rules, ${coverage.uncovered.length} uncovered`);
  return lines;
}
