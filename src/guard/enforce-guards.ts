import { LetheError } from '../errors.js';
import type { Report } from '../report/types.js';
import { compareReviewedPlan } from './compare-reviewed-plan.js';
import type { PlanFingerprint } from './fingerprint-plan.js';
import { findFutureNow, findGuardTrips, type GuardTrip, type RuleBlastRadius } from './find-guard-trips.js';

export interface GuardOptions {
  /** --allow-future-now: a `now` ahead of the database's clock is meant. */
  allowFutureNow: boolean;
  /** --override-guard RULE: these rules pass their blast-radius limits, recorded in the ledger. */
  overrideGuards: string[];
  /** --plan FILE: apply exactly this reviewed plan, or refuse. */
  reviewedPlan?: { report: Report; tolerance: number; file: string } | undefined;
}

export interface GuardInput {
  now: Date;
  databaseNow: Date;
  radii: RuleBlastRadius[];
  counted: Report;
  fingerprint: PlanFingerprint;
}

/**
 * Every check a real run makes before it writes anything. Throws SAFETY_GUARD
 * (exit 4) with the numbers and the way forward; returns the trips that
 * --override-guard let through, for the ledger.
 */
export function enforceGuards(input: GuardInput, options: GuardOptions): GuardTrip[] {
  if (options.reviewedPlan) {
    const problems = compareReviewedPlan(options.reviewedPlan.report, input.counted, input.fingerprint, options.reviewedPlan.tolerance);
    if (problems.length > 0) {
      throw new LetheError('SAFETY_GUARD', `the reviewed plan ${options.reviewedPlan.file} no longer matches the database: nothing was written`, {
        details: problems,
        hint: 'make a new plan (lethe plan --format json --out plan.json), review it, and run it; or state a tolerance with --plan-tolerance',
      });
    }
  }
  const future = options.allowFutureNow ? undefined : findFutureNow(input.now, input.databaseNow);
  if (future) {
    throw new LetheError('SAFETY_GUARD', `refusing a real run in the future: ${future}; nothing was written`, {
      hint: 'use plan or run --dry-run to look ahead; pass --allow-future-now only if the database clock is wrong or this is a test database',
    });
  }
  const trips = findGuardTrips(input.radii);
  const blocking = trips.filter((trip) => !options.overrideGuards.includes(trip.ruleId));
  if (blocking.length > 0) {
    const ids = [...new Set(blocking.map((trip) => trip.ruleId))];
    throw new LetheError('SAFETY_GUARD', `${blocking.length} safety guard${blocking.length === 1 ? '' : 's'} tripped: nothing was written`, {
      details: blocking.map((trip) => `${trip.message} [${trip.guard}]`),
      hint: `check the clock, --now and the rule; if this is meant, rerun with ${ids.map((id) => `--override-guard ${id}`).join(' ')} (recorded in the ledger), or raise the rule's guard limits`,
    });
  }
  return trips;
}
