import { createHash } from 'node:crypto';
import type { Rule } from './types.js';

/**
 * Identifies what a rule selects and does. A run resumes a checkpoint only
 * when this is unchanged; the file position, description and run order do not count.
 */
export function hashRule(rule: Rule, holdsSubjects: string | undefined): string {
  // Guards, the partition setting and `after` (order within a run) change how a run proceeds, not which rows it selects.
  const { source: _source, description: _description, schedule: _schedule, timezone, batch: _batch, guard: _guard, partitions: _partitions, after: _after, ...meaningful } = rule;
  // The timezone places the cutoff of a date or timestamp clock, so it selects rows too. It counts
  // when it is not UTC, so the hash of a UTC rule (and its unfinished runs and reviewed plans) stays as it was.
  const zoned = timezone && timezone !== 'UTC' ? { ...meaningful, timezone } : meaningful;
  return createHash('sha256').update(JSON.stringify({ rule: zoned, holdsSubjects: rule.subject ? holdsSubjects ?? null : null })).digest('hex').slice(0, 32);
}
