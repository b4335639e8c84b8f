import type { Report } from '../report/types.js';
import type { PlanFingerprint } from './fingerprint-plan.js';

/**
 * Why a reviewed plan (the JSON `lethe plan` wrote) may not be applied now:
 * other rules, another schema, another `now`, or more rows than were approved
 * (beyond the stated tolerance, a share: 0.05 allows 5 % more).
 */
export function compareReviewedPlan(reviewed: Report, current: Report, fingerprint: PlanFingerprint, tolerance: number): string[] {
  const problems: string[] = [];
  if (reviewed.now !== current.now) problems.push(`the plan was made for now ${reviewed.now}, this run is at ${current.now}`);
  if (!reviewed.fingerprint) return [...problems, 'the plan has no fingerprint (made by an older lethe); make it again with lethe plan --format json'];
  if (reviewed.fingerprint.rules !== fingerprint.rules) problems.push('the rules changed since the plan was made (ids, tables, clocks, predicates, holds or phases)');
  if (reviewed.fingerprint.catalog !== fingerprint.catalog) problems.push("the tables' shape changed since the plan was made (columns, keys or foreign keys)");
  for (const rule of current.rules) {
    const approved = reviewed.rules.find((candidate) => candidate.id === rule.id);
    if (!approved) {
      problems.push(`rule '${rule.id}' is not in the plan`);
      continue;
    }
    for (const phase of rule.phases) {
      const approvedPhase = approved.phases.find((candidate) => candidate.after === phase.after && candidate.action === phase.action);
      if (!approvedPhase) {
        problems.push(`rule '${rule.id}' phase ${phase.action} ${phase.after} is not in the plan`);
        continue;
      }
      const limit = Math.floor(approvedPhase.candidates * (1 + tolerance));
      if (phase.candidates > limit) {
        problems.push(`rule '${rule.id}' ${phase.action} ${phase.after}: ${phase.candidates} rows now, ${approvedPhase.candidates} approved (limit ${limit} with tolerance ${Math.round(tolerance * 100)}%)`);
      }
      for (const cascade of phase.cascades ?? []) {
        const approvedRows = approvedPhase.cascades?.find((candidate) => candidate.table === cascade.table)?.rows ?? 0;
        const cascadeLimit = Math.floor(approvedRows * (1 + tolerance));
        if (cascade.rows > cascadeLimit) problems.push(`rule '${rule.id}' ${phase.action} ${phase.after}: ${cascade.rows} rows of ${cascade.table} now, ${approvedRows} approved`);
      }
    }
  }
  for (const approved of reviewed.rules) if (!current.rules.some((rule) => rule.id === approved.id)) problems.push(`rule '${approved.id}' of the plan is not in this run`);
  return problems;
}
