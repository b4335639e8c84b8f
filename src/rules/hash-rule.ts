import { createHash } from 'node:crypto';
import type { Rule } from './types.js';

/**
 * Identifies what a rule selects and does. A run resumes a checkpoint only
 * when this is unchanged; the file position, description and run order do not count.
 */
export function hashRule(rule: Rule, holdsSubjects: string | undefined): string {
  // `after` only orders rules within a run: it does not change what a rule selects or does.
  const { source: _source, description: _description, schedule: _schedule, timezone: _timezone, batch: _batch, after: _after, ...meaningful } = rule;
  return createHash('sha256').update(JSON.stringify({ rule: meaningful, holdsSubjects: rule.subject ? holdsSubjects ?? null : null })).digest('hex').slice(0, 32);
}
