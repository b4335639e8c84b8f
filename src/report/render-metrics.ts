import type { Report } from './types.js';

export interface MetricsContext {
  exitCode: number;
  durationSeconds: number;
  /** Wall-clock time the invocation ended. */
  finishedAt: Date;
  /** When each rule last completed a run, from Lethe's state (every rule, not only this run's). */
  lastSuccess?: Map<string, Date>;
  /** Seconds between a rule's next two fire times, for "no success in two periods" alerts. */
  scheduleIntervals?: Map<string, number>;
}

const RULE_STATUSES = ['planned', 'done', 'partial', 'skipped', 'failed'] as const;

/**
 * Prometheus text exposition format, for node_exporter's textfile collector and for a
 * Pushgateway. Each file or push describes the latest invocation, so every family is a gauge:
 * a counter would claim a running total that the ledger keeps, not the metrics.
 */
export function renderMetrics(report: Report, context: MetricsContext): string {
  const out = new MetricFamilies();
  type Rule = Report['rules'][number];
  type Phase = Rule['phases'][number];
  const phaseSamples = (withMode: boolean, value: (phase: Phase, rule: Rule) => number | undefined) =>
    report.rules.flatMap((rule) =>
      rule.phases.flatMap((phase) => {
        const sample = value(phase, rule);
        if (sample === undefined) return [];
        return [[{ ...(withMode ? { mode: report.mode } : {}), rule: rule.id, category: rule.category, phase: phase.after, action: phase.action }, sample] as const];
      }),
    );
  if (report.mode === 'run') {
    out.gauge('lethe_last_run_rows_affected', 'Rows changed by the latest run, per rule, phase and action.', phaseSamples(false, (phase) => phase.affected));
    out.gauge('lethe_last_run_failed_rows', 'Rows the latest run left unchanged because a value broke the strategy.', phaseSamples(false, (phase) => phase.failed ?? 0));
    out.gauge(
      'lethe_last_run_guard_tripped',
      '1 when a safety guard stopped the rule in the latest run.',
      report.rules.map((rule) => [{ rule: rule.id }, rule.error?.code === 'SAFETY_GUARD' ? 1 : 0] as const),
    );
  }
  out.gauge('lethe_candidates', 'Rows due per rule and phase when the report was made (holds excluded).', phaseSamples(true, (phase) => phase.candidates));
  out.gauge('lethe_held_rows', 'Due rows excluded only by holds.', phaseSamples(true, (phase) => phase.held));
  out.gauge(
    'lethe_oldest_candidate_age_seconds',
    'Age past its cutoff of the oldest due row: how far behind retention is.',
    phaseSamples(true, (phase) => (phase.oldest && phase.candidates > 0 ? Math.max(0, (Date.parse(phase.cutoff) - Date.parse(phase.oldest)) / 1000) : undefined)).map(
      ([labels, value]) => [{ mode: labels.mode!, rule: labels.rule, phase: labels.phase, action: labels.action }, value] as const,
    ),
  );
  out.gauge(
    'lethe_last_run_rule_status',
    '1 for the status each rule ended the latest invocation with, 0 for the others.',
    report.rules.flatMap((rule) => RULE_STATUSES.map((status) => [{ mode: report.mode, rule: rule.id, status }, rule.status === status ? 1 : 0] as const)),
  );
  if (report.mode === 'run') {
    const lastSuccess = new Map(context.lastSuccess ?? []);
    for (const rule of report.rules) if (rule.status === 'done' && !lastSuccess.has(rule.id)) lastSuccess.set(rule.id, context.finishedAt);
    out.gauge('lethe_last_success_timestamp_seconds', 'Unix time each rule last completed a run.', [...lastSuccess].map(([rule, at]) => [{ rule }, Math.floor(at.getTime() / 1000)] as const));
    out.gauge('lethe_rule_schedule_interval_seconds', "Seconds between the rule's next two scheduled fire times.", [...(context.scheduleIntervals ?? [])].map(([rule, seconds]) => [{ rule }, seconds] as const));
  }
  if (report.ledgerHead) out.gauge('lethe_ledger_head_seq', "The ledger chain head's seq after the run (the hash is in the report).", [[{}, report.ledgerHead.seq]]);
  for (const family of invocationFamilies(report.mode, context)) out.gauge(...family);
  return out.render();
}

type Sample = readonly [Record<string, string>, number];

/** What every invocation reports, a failed one included: duration, exit code, end time. */
export function invocationFamilies(mode: string, context: Pick<MetricsContext, 'exitCode' | 'durationSeconds' | 'finishedAt'>): [string, string, Sample[]][] {
  return [
    ['lethe_last_run_duration_seconds', 'Wall-clock duration of the latest invocation.', [[{ mode }, context.durationSeconds]]],
    ['lethe_last_run_exit_code', 'Exit code of the latest invocation (0 ok, 1 failure, 2 invalid, 3 stopped, 4 gate, 5 locked).', [[{ mode }, context.exitCode]]],
    ['lethe_last_run_timestamp_seconds', 'Unix time the latest invocation ended.', [[{ mode }, Math.floor(context.finishedAt.getTime() / 1000)]]],
  ];
}

/**
 * An invocation that ended without a report (unreachable database, invalid rules, a guard that
 * refused the run): pushed with POST, these replace only their own families in the group.
 */
export function renderFailureMetrics(mode: string, context: Pick<MetricsContext, 'exitCode' | 'durationSeconds' | 'finishedAt'> & { guardTripped: boolean }): string {
  const out = new MetricFamilies();
  for (const family of invocationFamilies(mode, context)) out.gauge(...family);
  out.gauge('lethe_last_run_refused_by_guard', '1 when a safety guard refused the latest run before it wrote anything.', [[{ mode }, context.guardTripped ? 1 : 0]]);
  return out.render();
}

/** Families in the text exposition format, each typed before its samples; empty ones left out. */
export class MetricFamilies {
  private readonly families: string[] = [];

  gauge(name: string, help: string, samples: readonly Sample[]): void {
    if (samples.length === 0) return;
    const lines = samples.map(([labels, value]) => `${name}${renderLabels(labels)} ${value}`);
    this.families.push(`# HELP ${name} ${help}\n# TYPE ${name} gauge\n${lines.join('\n')}`);
  }

  render(): string {
    return this.families.join('\n') + '\n';
  }
}

function renderLabels(values: Record<string, string>): string {
  const entries = Object.entries(values);
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}
