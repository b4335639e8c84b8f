import { describe, expect, it } from 'vitest';
import { findFutureNow, findGuardTrips, type RuleBlastRadius } from '../../../src/guard/find-guard-trips.js';
import { DEFAULT_GUARD } from '../../../src/rules/types.js';

function radius(overrides: Partial<RuleBlastRadius>): RuleBlastRadius {
  return { ruleId: 'r', table: 'public.t', guard: DEFAULT_GUARD, candidates: 0, tableRows: 100_000, previousCandidates: undefined, ...overrides };
}

describe('findGuardTrips', () => {
  it('trips the share above maxShare, but never below minRows', () => {
    expect(findGuardTrips([radius({ candidates: 95_000 })]).map((trip) => trip.guard)).toEqual(['max-share']);
    expect(findGuardTrips([radius({ candidates: 900, tableRows: 900 })])).toEqual([]);
  });

  it('trips maxRows at any size', () => {
    expect(findGuardTrips([radius({ candidates: 11, guard: { ...DEFAULT_GUARD, maxRows: 10 } })]).map((trip) => trip.guard)).toEqual(['max-rows']);
  });

  it('measures growth from the previous run, or from minRows when that run was quiet', () => {
    expect(findGuardTrips([radius({ candidates: 20_001, previousCandidates: 2_000 })]).map((trip) => trip.guard)).toEqual(['max-growth']);
    expect(findGuardTrips([radius({ candidates: 9_000, previousCandidates: 0 })])).toEqual([]);
    const quiet = findGuardTrips([radius({ candidates: 10_001, previousCandidates: 0 })]);
    expect(quiet[0]?.message).toMatch(/10x the 0 of its previous run \(counted as guard.minRows 1,000\)/);
  });
});

describe('findFutureNow', () => {
  it('allows a few minutes of clock skew and refuses more', () => {
    const db = new Date('2026-12-04T12:00:00Z');
    expect(findFutureNow(new Date('2026-12-04T12:04:00Z'), db)).toBeUndefined();
    expect(findFutureNow(new Date('2036-01-01T00:00:00Z'), db)).toMatch(/3314\.5 days ahead/);
  });
});
