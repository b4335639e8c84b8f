import { describe, expect, it } from 'vitest';
import { renderFailureMetrics, renderMetrics } from '../../../src/report/render-metrics.js';
import { renderCheckMetrics } from '../../../src/report/render-check-metrics.js';
import type { Report } from '../../../src/report/types.js';

const report: Report = {
  lethe: 1,
  mode: 'run',
  now: '2026-11-25T00:00:00.000Z',
  status: 'ok',
  runId: 'r1',
  rules: [
    {
      id: 'device-logs',
      category: 'device-logs',
      table: 'public.device_logs',
      status: 'done',
      phases: [
        { after: '180d', action: 'delete', cutoff: '2026-05-29T00:00:00.000Z', candidates: 1200, held: 3, affected: 1200, oldest: '2026-05-27T00:00:00.000Z' },
        { after: '30d', action: 'anonymize', cutoff: '2026-10-26T00:00:00.000Z', candidates: 40, held: 0, affected: 40, oldest: null },
      ],
    },
    { id: 'odd "name"', category: 'x', table: 'public.x', status: 'skipped', phases: [] },
  ],
};

/** A small reader of the text exposition format: enough to prove the file parses and to read values back. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.trimEnd().split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/.exec(line);
    if (type) {
      typed.add(type[1]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.eE+]+)$/.exec(line);
    if (!sample) throw new Error(`not a valid sample line: ${line}`);
    if (!typed.has(sample[1]!)) throw new Error(`sample before its TYPE: ${line}`);
    samples.set(`${sample[1]}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return samples;
}

describe('Prometheus metrics file', () => {
  const text = renderMetrics(report, { exitCode: 0, durationSeconds: 12.5, finishedAt: new Date('2026-11-25T00:05:00Z') });
  const samples = parsePrometheus(text);

  it('parses as text exposition format, every family typed before its samples', () => {
    expect(samples.size).toBeGreaterThan(0);
  });

  it('has rows affected per rule, phase and action equal to the report, as a gauge (no _total counter)', () => {
    expect(samples.get('lethe_last_run_rows_affected{rule="device-logs",category="device-logs",phase="180d",action="delete"}')).toBe(1200);
    expect(samples.get('lethe_last_run_rows_affected{rule="device-logs",category="device-logs",phase="30d",action="anonymize"}')).toBe(40);
    expect(text).not.toMatch(/_total\b/);
    expect(text).not.toMatch(/^# TYPE \S+ counter$/m);
  });

  it('has one status gauge per rule and status, 1 for the status it ended with', () => {
    expect(samples.get('lethe_last_run_rule_status{mode="run",rule="device-logs",status="done"}')).toBe(1);
    expect(samples.get('lethe_last_run_rule_status{mode="run",rule="device-logs",status="failed"}')).toBe(0);
    expect(samples.get('lethe_last_run_guard_tripped{rule="device-logs"}')).toBe(0);
  });

  it("keeps the last success of rules that were not in this run, from Lethe's state", () => {
    const withHistory = parsePrometheus(
      renderMetrics(report, { exitCode: 0, durationSeconds: 1, finishedAt: new Date('2026-11-25T00:05:00Z'), lastSuccess: new Map([['other-rule', new Date('2026-11-24T00:00:00Z')]]), scheduleIntervals: new Map([['device-logs', 86_400]]) }),
    );
    expect(withHistory.get('lethe_last_success_timestamp_seconds{rule="other-rule"}')).toBe(Date.parse('2026-11-24T00:00:00Z') / 1000);
    expect(withHistory.get('lethe_last_success_timestamp_seconds{rule="device-logs"}')).toBe(Date.parse('2026-11-25T00:05:00Z') / 1000);
    expect(withHistory.get('lethe_rule_schedule_interval_seconds{rule="device-logs"}')).toBe(86_400);
  });

  it('has candidates, held rows, run duration, exit status and the last success time of done rules', () => {
    expect(samples.get('lethe_candidates{mode="run",rule="device-logs",category="device-logs",phase="180d",action="delete"}')).toBe(1200);
    expect(samples.get('lethe_held_rows{mode="run",rule="device-logs",category="device-logs",phase="180d",action="delete"}')).toBe(3);
    expect(samples.get('lethe_last_run_duration_seconds{mode="run"}')).toBe(12.5);
    expect(samples.get('lethe_last_run_exit_code{mode="run"}')).toBe(0);
    expect(samples.get('lethe_last_run_timestamp_seconds{mode="run"}')).toBe(Date.parse('2026-11-25T00:05:00Z') / 1000);
    expect(samples.get('lethe_last_success_timestamp_seconds{rule="device-logs"}')).toBe(Date.parse('2026-11-25T00:05:00Z') / 1000);
    expect([...samples.keys()].some((key) => key.startsWith('lethe_last_success_timestamp_seconds{rule="odd'))).toBe(false);
  });

  it('reports how late the oldest due row is, in seconds past its cutoff', () => {
    expect(samples.get('lethe_oldest_candidate_age_seconds{mode="run",rule="device-logs",phase="180d",action="delete"}')).toBe(2 * 86_400);
  });

  it('escapes quotes in label values', () => {
    expect(text).toContain('rule="odd \\"name\\""');
  });
});

describe('failure and check metrics', () => {
  it('a run refused by a guard reports its exit code and the refusal', () => {
    const samples = parsePrometheus(renderFailureMetrics('run', { exitCode: 4, durationSeconds: 0.5, finishedAt: new Date('2026-11-25T00:05:00Z'), guardTripped: true }));
    expect(samples.get('lethe_last_run_exit_code{mode="run"}')).toBe(4);
    expect(samples.get('lethe_last_run_refused_by_guard{mode="run"}')).toBe(1);
  });

  it('check reports overdue rows per phase, 0 for phases on time', () => {
    const samples = parsePrometheus(
      renderCheckMetrics(
        { plan: { ...report, mode: 'plan' }, overdue: [{ rule: 'device-logs', phase: '180d', action: 'delete', candidates: 1200, oldest: '2026-05-27T00:00:00.000Z', lateByMs: 2 * 86_400_000 }], errors: 0, missingPrivileges: 0 },
        { exitCode: 4, durationSeconds: 1, finishedAt: new Date('2026-11-25T00:05:00Z') },
      ),
    );
    expect(samples.get('lethe_overdue_rows{rule="device-logs",phase="180d",action="delete"}')).toBe(1200);
    expect(samples.get('lethe_overdue_rows{rule="device-logs",phase="30d",action="anonymize"}')).toBe(0);
    expect(samples.get('lethe_last_run_exit_code{mode="check"}')).toBe(4);
    expect(samples.get('lethe_check_missing_privileges')).toBe(0);
  });
});
