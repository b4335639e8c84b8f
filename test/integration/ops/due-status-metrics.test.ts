import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBench3d } from '../../../src/bench3d/seed-bench3d.js';
import { lockKeyOf } from '../../../src/execute/advisory-lock.js';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const RULES = fileURLToPath(new URL('../../fixtures/ops-rules/', import.meta.url));

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedBench3d(database.db, { scale: 0.1, seed: 3, now: new Date('2026-11-25T00:00:00Z') });
});

afterAll(async () => {
  await database?.drop();
});

async function runDue(now: string): Promise<string[]> {
  const result = await runCli(['run', '--due', '--yes', '--db', database.url, '--rules', RULES, '--now', now, '--format', 'json']);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { rules: { id: string }[] }).rules.map((rule) => rule.id);
}

interface Status {
  rules: { id: string; lastRun: { status: string; runId: string } | null; resumable: boolean; lock: { pid: number } | null; nextDue: string | null }[];
  ledger: { verified: boolean; batches: number; brokenAt: number | null };
}

async function status(now: string): Promise<Status> {
  const result = await runCli(['status', '--db', database.url, '--rules', RULES, '--now', now, '--format', 'json']);
  return JSON.parse(result.stdout) as Status;
}

describe('run --due, status and metrics over a series of times', () => {
  it('runs exactly the rules that are due at each --now, once per missed window', async () => {
    // Never ran: both are due.
    expect(await runDue('2026-11-25T10:00:00Z')).toEqual(['device-logs', 'verification-codes']);
    // 11:00: device-logs next fires at 03:15 tomorrow, verification-codes at 12:00.
    expect(await runDue('2026-11-25T11:00:00Z')).toEqual([]);
    expect(await runDue('2026-11-25T12:00:00Z')).toEqual(['verification-codes']);
    // Missed 18:00, 00:00 and 03:15: each rule runs once.
    expect(await runDue('2026-11-26T05:00:00Z')).toEqual(['device-logs', 'verification-codes']);
    expect(await runDue('2026-11-26T05:30:00Z')).toEqual([]);
  });

  it('reports the last run, next due times and a verified ledger chain', async () => {
    const report = await status('2026-11-26T05:30:00Z');
    expect(report.rules.map((rule) => [rule.id, rule.lastRun?.status, rule.resumable, rule.nextDue])).toEqual([
      ['device-logs', 'done', false, '2026-11-27T03:15:00.000Z'],
      ['verification-codes', 'done', false, '2026-11-26T06:00:00.000Z'],
    ]);
    expect(report.ledger.verified).toBe(true);
    expect(report.ledger.batches).toBeGreaterThan(0);
  });

  it('shows a rule whose fire time passed without a run as due now (missed ...), as run --due would run it', async () => {
    // verification-codes fired at 06:00; its last run was at 05:00.
    const report = await status('2026-11-26T06:30:00Z');
    const byId = new Map(report.rules.map((rule) => [rule.id, rule as unknown as { dueNow: boolean; missed: string | null; nextDue: string }]));
    expect(byId.get('verification-codes')).toMatchObject({ dueNow: true, missed: '2026-11-26T06:00:00.000Z', nextDue: '2026-11-26T12:00:00.000Z' });
    expect(byId.get('device-logs')).toMatchObject({ dueNow: false, missed: null });
    const text = await runCli(['status', '--db', database.url, '--rules', RULES, '--now', '2026-11-26T06:30:00Z']);
    expect(text.stdout).toContain('next due   due now (missed 2026-11-26T06:00:00.000Z); then 2026-11-26T12:00:00.000Z');
    const due = await runCli(['run', '--dry-run', '--due', '--db', database.url, '--rules', RULES, '--now', '2026-11-26T06:30:00Z', '--format', 'json']);
    expect((JSON.parse(due.stdout) as { rules: { id: string }[] }).rules.map((rule) => rule.id)).toEqual(['verification-codes']);
  });

  it('names the pid holding a rule lock taken by another connection', async () => {
    const holder = new pg.Client({ connectionString: database.url, application_name: 'someone-else' });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1::bigint)', [lockKeyOf('device-logs').toString()]);
      const pid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const report = await status('2026-11-26T05:30:00Z');
      expect(report.rules.find((rule) => rule.id === 'device-logs')?.lock).toMatchObject({ pid, applicationName: 'someone-else' });
      expect(report.rules.find((rule) => rule.id === 'verification-codes')?.lock).toBeNull();
    } finally {
      await holder.end();
    }
  });

  it('writes a metrics file whose gauges equal the run report', async () => {
    await database.db.raw(`insert into verification_codes (phone, code, purpose, created_at, expires_at) values ('13800000000', '123456', 'login', '2026-01-01', '2026-01-01')`);
    const metricsFile = join(mkdtempSync(join(tmpdir(), 'lethe-metrics-')), 'lethe.prom');
    const result = await runCli(['run', '--yes', '--db', database.url, '--rules', RULES, '--now', '2026-11-26T06:00:00Z', '--format', 'json', '--metrics-file', metricsFile]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { rules: { id: string; phases: { after: string; action: string; affected: number }[] }[] };
    const metrics = readFileSync(metricsFile, 'utf8');
    for (const rule of report.rules) {
      for (const phase of rule.phases) {
        expect(metrics).toContain(`lethe_last_run_rows_affected{rule="${rule.id}",category="${rule.id}",phase="${phase.after}",action="${phase.action}"} ${phase.affected}\n`);
      }
    }
    expect(report.rules.find((rule) => rule.id === 'verification-codes')?.phases[0]?.affected).toBe(1);
    expect(metrics).toContain('lethe_last_run_exit_code{mode="run"} 0\n');
  });

  it('reports a run stopped early as resumable, and the next run finishes it', async () => {
    // Spread over several pages, so a one-page batch leaves work behind.
    await database.db.raw(`insert into verification_codes (phone, code, purpose, created_at, expires_at)
      select '1380000' || g, '654321', 'login', '2026-01-01', '2026-01-01' from generate_series(1, 500) g`);
    // One page per batch and one row a second: the runtime budget ends after the first batch.
    const stopped = await runCli(['run', '--yes', '--only', 'verification-codes', '--db', database.url, '--rules', RULES, '--now', '2026-11-26T07:00:00Z', '--batch-size', '1', '--max-rows-per-second', '1', '--max-runtime', '2s']);
    expect(stopped.code).toBe(3);
    expect((await status('2026-11-26T07:00:00Z')).rules.find((rule) => rule.id === 'verification-codes')).toMatchObject({ resumable: true, lastRun: { status: 'partial' } });
    const resumed = await runCli(['run', '--yes', '--only', 'verification-codes', '--db', database.url, '--rules', RULES, '--now', '2026-11-26T07:00:00Z']);
    expect(resumed.code).toBe(0);
    expect((await status('2026-11-26T07:00:00Z')).rules.find((rule) => rule.id === 'verification-codes')).toMatchObject({ resumable: false, lastRun: { status: 'done' } });
  });

  it('reports a ledger row altered by hand as the first broken link', async () => {
    const row = await database.db.raw<{ rows: { seq: string }[] }>(`select seq::text from lethe.ledger order by seq limit 1 offset 1`);
    const seq = Number(row.rows[0]!.seq);
    await database.db.raw(`update lethe.ledger set rows_affected = '{"public.device_logs": 1}'::jsonb where seq = ?`, [seq]);
    const report = await status('2026-11-26T06:00:00Z');
    expect(report.ledger).toMatchObject({ verified: false, brokenAt: seq });
    const text = await runCli(['status', '--db', database.url, '--rules', RULES]);
    expect(text.code).toBe(4);
    expect(text.stdout).toContain(`ledger: BROKEN at seq ${seq}`);
  });
});
