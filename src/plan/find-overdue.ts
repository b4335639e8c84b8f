import type { Report } from '../report/types.js';

export interface OverduePhase {
  rule: string;
  phase: string;
  action: string;
  candidates: number;
  oldest: string;
  /** How far past its cutoff the oldest due row is. */
  lateByMs: number;
}

/** Pure: phases whose oldest due row is older than the cutoff by more than the grace: retention is behind. */
export function findOverdue(report: Report, graceMs: number): OverduePhase[] {
  return report.rules.flatMap((rule) =>
    rule.phases
      .filter((phase) => phase.candidates > 0 && phase.oldest !== null)
      .map((phase) => ({ rule: rule.id, phase: phase.after, action: phase.action, candidates: phase.candidates, oldest: phase.oldest!, lateByMs: Date.parse(phase.cutoff) - Date.parse(phase.oldest!) }))
      .filter((phase) => phase.lateByMs > graceMs),
  );
}
