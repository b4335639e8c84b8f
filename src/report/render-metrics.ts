import type { Report } from './types.js';

export interface MetricsContext {
  exitCode: number;
  durationSeconds: number;
  /** Wall-clock time the run ended, for lethe_last_success_timestamp_seconds. */
  finishedAt: Date;
}

/**
 * Prometheus text exposition format, for node_exporter's textfile collector.
 * Each file describes the latest run, so counters are "rows in that run".
 */
export function renderMetrics(report: Report, context: MetricsContext): string {
  const families: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', help: string, samples: string[]) => {
    if (samples.length === 0) return;
    families.push(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${samples.join('\n')}`);
  };
  const phaseSamples = (value: (phase: Report['rules'][number]['phases'][number]) => number) =>
    report.rules.flatMap((rule) =>
      rule.phases.map((phase) => `${labels({ mode: report.mode, rule: rule.id, category: rule.category, phase: phase.after, action: phase.action })} ${value(phase)}`),
    );
  family('lethe_rows_affected_total', 'counter', 'Rows changed in the latest run, per rule, phase and action.', phaseSamples((phase) => phase.affected).map((sample) => `lethe_rows_affected_total${sample}`));
  if (report.mode === 'run') {
    family('lethe_failed_rows', 'gauge', 'Rows left unchanged in the latest run because a value broke the strategy.', phaseSamples((phase) => phase.failed ?? 0).map((sample) => `lethe_failed_rows${sample}`));
  }
  family('lethe_candidates', 'gauge', 'Rows due per rule and phase when the report was made (holds excluded).', phaseSamples((phase) => phase.candidates).map((sample) => `lethe_candidates${sample}`));
  family('lethe_held_rows', 'gauge', 'Due rows excluded only by holds.', phaseSamples((phase) => phase.held).map((sample) => `lethe_held_rows${sample}`));
  family(
    'lethe_oldest_candidate_age_seconds',
    'gauge',
    'Age past its cutoff of the oldest due row: how far behind retention is.',
    report.rules.flatMap((rule) =>
      rule.phases
        .filter((phase) => phase.oldest && phase.candidates > 0)
        .map((phase) => `lethe_oldest_candidate_age_seconds${labels({ mode: report.mode, rule: rule.id, phase: phase.after, action: phase.action })} ${Math.max(0, (Date.parse(phase.cutoff) - Date.parse(phase.oldest!)) / 1000)}`),
    ),
  );
  family('lethe_rule_up', 'gauge', '1 when the rule ended done or planned, 0 otherwise.', report.rules.map((rule) => `lethe_rule_up${labels({ mode: report.mode, rule: rule.id, status: rule.status })} ${rule.status === 'done' || rule.status === 'planned' ? 1 : 0}`));
  if (report.mode === 'run') {
    family(
      'lethe_last_success_timestamp_seconds',
      'gauge',
      'Unix time the rule last finished a run completely.',
      report.rules.filter((rule) => rule.status === 'done').map((rule) => `lethe_last_success_timestamp_seconds${labels({ rule: rule.id })} ${Math.floor(context.finishedAt.getTime() / 1000)}`),
    );
  }
  if (report.ledgerHead) family('lethe_ledger_head_seq', 'gauge', 'The ledger chain head\'s seq after the run (the hash is in the report).', [`lethe_ledger_head_seq ${report.ledgerHead.seq}`]);
  family('lethe_run_duration_seconds', 'gauge', 'Wall-clock duration of the latest invocation.', [`lethe_run_duration_seconds${labels({ mode: report.mode })} ${context.durationSeconds}`]);
  family('lethe_exit_status', 'gauge', 'Exit code of the latest invocation (0 ok, 1 failure, 2 invalid, 3 stopped, 4 gate, 5 locked).', [`lethe_exit_status${labels({ mode: report.mode })} ${context.exitCode}`]);
  return families.join('\n') + '\n';
}

function labels(values: Record<string, string>): string {
  const body = Object.entries(values)
    .map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
  return `{${body}}`;
}
