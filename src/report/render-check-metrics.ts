import type { OverduePhase } from '../plan/find-overdue.js';
import type { Report } from './types.js';
import { invocationFamilies, MetricFamilies, type MetricsContext } from './render-metrics.js';

export interface CheckMetricsInput {
  /** The plan check --fail-on-overdue counted, when it did. */
  plan: Report | undefined;
  overdue: OverduePhase[];
  errors: number;
  missingPrivileges: number;
}

/** `check` as metrics: its outcome, and with --fail-on-overdue the overdue rows of every phase (0 when on time). */
export function renderCheckMetrics(input: CheckMetricsInput, context: Pick<MetricsContext, 'exitCode' | 'durationSeconds' | 'finishedAt'>): string {
  const out = new MetricFamilies();
  if (input.plan) {
    const late = new Set(input.overdue.map((phase) => `${phase.rule}\0${phase.phase}\0${phase.action}`));
    out.gauge(
      'lethe_overdue_rows',
      'Due rows of phases whose oldest row is past its cutoff by more than the grace of check --fail-on-overdue.',
      input.plan.rules.flatMap((rule) =>
        rule.phases.map((phase) => [{ rule: rule.id, phase: phase.after, action: phase.action }, late.has(`${rule.id}\0${phase.after}\0${phase.action}`) ? phase.candidates : 0] as const),
      ),
    );
  }
  out.gauge('lethe_check_errors', 'Rule problems against the live schema found by the latest check.', [[{}, input.errors]]);
  out.gauge('lethe_check_missing_privileges', 'Privileges the role lacks for a run, found by the latest check.', [[{}, input.missingPrivileges]]);
  for (const family of invocationFamilies('check', context)) out.gauge(...family);
  return out.render();
}
