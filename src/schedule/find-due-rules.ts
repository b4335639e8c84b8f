import { nextFireTimes, previousFireTime } from '../rules/cron.js';
import type { Rule } from '../rules/types.js';

export interface DueDecision {
  rule: Rule;
  due: boolean;
  /** The latest fire time at or before now (undefined without a schedule). */
  scheduledAt: Date | undefined;
  lastCompleted: Date | undefined;
  reason: string;
}

/**
 * Pure: a rule is due when its latest scheduled time at or before `now` is
 * later than its last completed run (so several missed fire times mean one
 * run), when it has an unfinished run to resume, or when it has no schedule.
 */
export function findDueRules(rules: Rule[], lastCompleted: Map<string, Date>, resumable: Set<string>, now: Date): DueDecision[] {
  return rules.map((rule) => {
    const last = lastCompleted.get(rule.id);
    if (resumable.has(rule.id)) return { rule, due: true, scheduledAt: undefined, lastCompleted: last, reason: 'an unfinished run can resume' };
    if (!rule.schedule) return { rule, due: true, scheduledAt: undefined, lastCompleted: last, reason: 'no schedule: due on every --due run' };
    const scheduledAt = previousFireTime(rule.schedule, rule.timezone, now);
    if (!scheduledAt) return { rule, due: false, scheduledAt, lastCompleted: last, reason: 'no fire time yet' };
    if (!last) return { rule, due: true, scheduledAt, lastCompleted: last, reason: 'never ran' };
    const due = scheduledAt.getTime() > last.getTime();
    return { rule, due, scheduledAt, lastCompleted: last, reason: due ? `scheduled at ${scheduledAt.toISOString()}, last run ${last.toISOString()}` : 'ran since its last fire time' };
  });
}

/** The next fire time after `now`, or null without a schedule. */
export function nextDue(rule: Rule, now: Date): Date | null {
  return rule.schedule ? nextFireTimes(rule.schedule, rule.timezone, now, 1)[0]! : null;
}
