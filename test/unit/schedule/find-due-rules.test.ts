import { describe, expect, it } from 'vitest';
import { findDueRules, nextDue } from '../../../src/schedule/find-due-rules.js';
import { buildRule } from '../../support/rule-builders.js';

const hourly = buildRule({ id: 'hourly', schedule: '0 * * * *' });
const nightly = buildRule({ id: 'nightly', schedule: '15 3 * * *', timezone: 'Asia/Shanghai' });
const unscheduled = buildRule({ id: 'always' });

function dueIds(now: string, lastCompleted: Record<string, string> = {}, resumable: string[] = []): string[] {
  const last = new Map(Object.entries(lastCompleted).map(([id, at]) => [id, new Date(at)]));
  return findDueRules([hourly, nightly, unscheduled], last, new Set(resumable), new Date(now))
    .filter((decision) => decision.due)
    .map((decision) => decision.rule.id);
}

describe('run --due decisions', () => {
  it('runs every rule that never ran and has had a fire time', () => {
    expect(dueIds('2026-11-25T10:30:00Z')).toEqual(['hourly', 'nightly', 'always']);
  });

  it('skips a rule that ran after its latest fire time', () => {
    expect(dueIds('2026-11-25T10:30:00Z', { hourly: '2026-11-25T10:05:00Z', nightly: '2026-11-24T19:20:00Z' })).toEqual(['always']);
  });

  it('runs a rule again once its next fire time has passed', () => {
    expect(dueIds('2026-11-25T11:00:00Z', { hourly: '2026-11-25T10:05:00Z', nightly: '2026-11-24T19:20:00Z' })).toEqual(['hourly', 'always']);
  });

  it('runs a rule that missed several fire times once, not once per missed time', () => {
    const decisions = findDueRules([hourly], new Map([['hourly', new Date('2026-11-25T02:00:00Z')]]), new Set(), new Date('2026-11-25T10:30:00Z'));
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ due: true, scheduledAt: new Date('2026-11-25T10:00:00Z') });
  });

  it('evaluates the schedule in the rule timezone (03:15 in Shanghai is 19:15 UTC)', () => {
    expect(dueIds('2026-11-25T19:14:00Z', { hourly: '2026-11-25T19:00:00Z', nightly: '2026-11-24T19:16:00Z' })).toEqual(['always']);
    expect(dueIds('2026-11-25T19:15:00Z', { hourly: '2026-11-25T19:00:00Z', nightly: '2026-11-24T19:16:00Z' })).toEqual(['nightly', 'always']);
  });

  it('always runs a rule that has an unfinished run to resume', () => {
    expect(dueIds('2026-11-25T10:30:00Z', { hourly: '2026-11-25T10:05:00Z', nightly: '2026-11-25T10:00:00Z' }, ['hourly'])).toEqual(['hourly', 'always']);
  });

  it('gives the next fire time, or null without a schedule', () => {
    expect(nextDue(nightly, new Date('2026-11-25T10:30:00Z'))?.toISOString()).toBe('2026-11-25T19:15:00.000Z');
    expect(nextDue(unscheduled, new Date('2026-11-25T10:30:00Z'))).toBeNull();
  });
});
