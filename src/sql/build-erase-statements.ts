import type { PlannedRule, SubjectSet } from '../plan/types.js';
import { fromClause, subjectMatchSql } from './build-predicates.js';
import { fragment, Params, type Statement } from './quote.js';

/**
 * Statements only an erasure sends; the rows it changes go through the same
 * builders as a run's (build-statements.ts), with the subject set in place of the clock.
 */

type RuleTable = Pick<PlannedRule, 'rule' | 'table'>;

/** The people's rows of a rule's table (a `request: skip` rule keeps them). */
export function buildSubjectRowsStatement(planned: RuleTable, subjects: SubjectSet): Statement {
  const params = new Params();
  return { text: `SELECT count(*) AS rows FROM ${fromClause(planned)}\nWHERE ${subjectMatchSql(planned, subjects, params)}`, values: params.values };
}

/** The people's rows the rule's `where` leaves out on purpose. */
export function buildKeptByWhereStatement(planned: RuleTable, subjects: SubjectSet): Statement {
  const params = new Params();
  const where = planned.rule.where ? fragment(planned.rule.where, 'predicate') : 'true';
  return {
    text: `SELECT count(*) AS rows FROM ${fromClause(planned)}\nWHERE ${subjectMatchSql(planned, subjects, params)}\nAND NOT coalesce(${where}, false)`,
    values: params.values,
  };
}

/** Which of the ids have a row in the rule's table: one statement for the whole set. */
export function buildFoundSubjectsStatement(planned: RuleTable, subjects: SubjectSet): Statement {
  const params = new Params();
  const ids = params.add(subjects.values, 'text[]');
  const subject = fragment(planned.rule.subject!, 'value');
  const match = subjects.type ? `${subject} = lethe_v.v::${subjects.type}` : `(${subject})::text = lethe_v.v`;
  return { text: `SELECT lethe_v.v FROM unnest(${ids}) AS lethe_v(v)\nWHERE EXISTS (SELECT 1 FROM ${fromClause(planned)}\nWHERE ${match})`, values: params.values };
}

/** Which of the ids the kind's holds query names (compared as text). */
export function buildHeldSubjectsStatement(holdsQuery: string, ids: string[]): Statement {
  const params = new Params();
  return {
    text: `SELECT lethe_v.v FROM unnest(${params.add(ids, 'text[]')}) AS lethe_v(v)\nWHERE lethe_v.v IN (SELECT lethe_h.x::text FROM ${fragment(holdsQuery, 'query')} AS lethe_h(x))`,
    values: params.values,
  };
}
