import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench3d } from '../../../src/bench3d/seed-bench3d.js';
import { runCli } from '../../support/run-cli.js';
import { pushgatewayUnavailable, readPushedSamples, startPushgateway, type Pushgateway, type PushedSample } from '../../support/pushgateway.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/**
 * --metrics-push against Debian's real prometheus-pushgateway on a loopback port: what Lethe
 * pushes is read back over HTTP from the Pushgateway's own /metrics.
 */

const RULES = fileURLToPath(new URL('../../fixtures/ops-rules/', import.meta.url));
const NOW = '2026-11-25T00:00:00Z';
const unavailable = pushgatewayUnavailable();
if (unavailable) console.warn(`skipping the Pushgateway tests: ${unavailable}`);

let database: TestDatabase;
let gateway: Pushgateway;

beforeAll(async () => {
  if (unavailable) return;
  database = await createTestDatabase();
  await seedBench3d(database.db, { scale: 0.1, seed: 3, now: new Date(NOW) });
  gateway = await startPushgateway();
}, 300_000);

afterAll(async () => {
  await gateway?.stop();
  await database?.drop();
});

const lethe = (...args: string[]) => runCli([...args, '--db', database.url, '--rules', RULES]);

function find(samples: PushedSample[], name: string, labels: Record<string, string>): PushedSample[] {
  return samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

describe.skipIf(unavailable !== undefined)('--metrics-push to a Pushgateway', () => {
  it('check --fail-on-overdue pushes overdue rows per rule and phase (job lethe, grouped by rule set and command)', async () => {
    const result = await lethe('check', '--now', NOW, '--fail-on-overdue', '1d', '--metrics-push', gateway.url);
    expect(result.code, result.stderr).toBe(4);
    const samples = await readPushedSamples(gateway.url);
    const group = { job: 'lethe', rule_set: 'ops-rules', command: 'check' };
    const overdue = find(samples, 'lethe_overdue_rows', group);
    expect(overdue.map((sample) => sample.labels.rule).sort()).toEqual(['device-logs', 'verification-codes']);
    expect(overdue.some((sample) => sample.value > 0)).toBe(true);
    expect(find(samples, 'lethe_last_run_exit_code', { ...group, mode: 'check' })[0]?.value).toBe(4);
  });

  it('run pushes rows affected (equal to the report), last success per rule, duration and exit code; the check group stays', async () => {
    const result = await lethe('run', '--yes', '--now', NOW, '--format', 'json', '--metrics-push', gateway.url);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { rules: { id: string; phases: { after: string; action: string; affected: number }[] }[] };
    const samples = await readPushedSamples(gateway.url);
    const group = { job: 'lethe', rule_set: 'ops-rules', command: 'run' };
    for (const rule of report.rules) {
      for (const phase of rule.phases) {
        expect(find(samples, 'lethe_last_run_rows_affected', { ...group, rule: rule.id, phase: phase.after, action: phase.action })[0]?.value).toBe(phase.affected);
      }
      const success = find(samples, 'lethe_last_success_timestamp_seconds', { ...group, rule: rule.id })[0]?.value;
      expect(Math.abs(success! - Date.now() / 1000)).toBeLessThan(600);
    }
    expect(report.rules.flatMap((rule) => rule.phases).some((phase) => phase.affected > 0)).toBe(true);
    expect(find(samples, 'lethe_last_run_exit_code', { ...group, mode: 'run' })[0]?.value).toBe(0);
    expect(find(samples, 'lethe_last_run_duration_seconds', { ...group, mode: 'run' })[0]?.value).toBeGreaterThan(0);
    expect(find(samples, 'lethe_rule_schedule_interval_seconds', { ...group, rule: 'verification-codes' })[0]?.value).toBe(6 * 3600);
    expect(find(samples, 'lethe_overdue_rows', { command: 'check' }).length).toBeGreaterThan(0);
    // The Pushgateway's own record of the push.
    expect(find(samples, 'push_time_seconds', group)[0]?.value).toBeGreaterThan(0);
  });

  it('a run a guard refuses pushes exit 4 and the refusal, and keeps the last success of the previous run', async () => {
    const result = await lethe('run', '--yes', '--now', '2099-01-01T00:00:00Z', '--metrics-push', gateway.url);
    expect(result.code).toBe(4);
    const samples = await readPushedSamples(gateway.url);
    const group = { job: 'lethe', rule_set: 'ops-rules', command: 'run' };
    expect(find(samples, 'lethe_last_run_exit_code', { ...group, mode: 'run' })[0]?.value).toBe(4);
    expect(find(samples, 'lethe_last_run_refused_by_guard', { ...group, mode: 'run' })[0]?.value).toBe(1);
    expect(find(samples, 'lethe_last_success_timestamp_seconds', group)).toHaveLength(2);
  });

  it('a Pushgateway that does not answer is a warning on stderr; the finished run keeps its exit code', async () => {
    const result = await lethe('run', '--yes', '--now', NOW, '--metrics-push', 'http://127.0.0.1:9/');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/lethe: warning: --metrics-push: cannot reach http:\/\/127\.0\.0\.1:9\/metrics\/job\/lethe\/.*the exit code is unchanged/);
  });

  it('a --metrics-push that is not a URL is a usage error before anything runs', async () => {
    const result = await lethe('run', '--yes', '--metrics-push', 'pushgateway:9091');
    expect(result.code).toBe(2);
  });
});
