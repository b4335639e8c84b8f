import { createHash } from 'node:crypto';
import type { Rule } from './types.js';

/**
 * Identifies what a rule selects and does. A run resumes a checkpoint only
 * when this is unchanged; the file position and description do not count.
 */
export function hashRule(rule: Rule, holdsSubjects: string | undefined): string {
  // Guards and the partition setting change how a run proceeds, not which rows it selects.
  const { source: _source, description: _description, schedule: _schedule, timezone: _timezone, batch: _batch, guard: _guard, partitions: _partitions, ...meaningful } = rule;
  return createHash('sha256').update(JSON.stringify({ rule: meaningful, holdsSubjects: rule.subject ? holdsSubjects ?? null : null })).digest('hex').slice(0, 32);
}
