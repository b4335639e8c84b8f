import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_NOW, RULES_DIR, parseReport, runLethe, startLethe, tableChecksum, type LogLine } from '../support/run-helpers.js';
import { openDb, seedWithCopies } from '../support/seed-throwaway.js';
import { clusterUnavailable, startThrowawayCluster, type ThrowawayCluster } from '../support/throwaway-cluster.js';

/**
 * `--max-replica-lag` against a real streaming standby (pg_basebackup -R of a throwaway primary):
 * a standby whose replay is paused holds the run back until --max-runtime (exit 3, the lag in
 * the log); once replay resumes the next run completes; and a run against a replaying standby
 * keeps the standby's lag near the limit (the maximum seen is printed).
 */
const unavailable = clusterUnavailable();
if (unavailable) process.stderr.write(`standby tests skipped: ${unavailable}\n`);

let cluster: ThrowawayCluster;

const runArgs = (database: string, extra: string[]) => [
  'run', '--db', cluster.primary.url(database), '--rules', RULES_DIR, '--yes', '--now', BENCH_NOW, '--format', 'json', ...extra,
];

async function onStandby<T>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: cluster.standby!.url() });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Waits until the standby has replayed everything the primary has written. */
async function waitForReplay(timeoutMs = 120_000): Promise<void> {
  const primary = new pg.Client({ connectionString: cluster.primary.url() });
  await primary.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await primary.query<{ behind: string | null }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS behind FROM pg_stat_replication`);
      if (result.rows.length > 0 && result.rows.every((row) => row.behind === '0')) return;
      if (Date.now() > deadline) throw new Error('the standby did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await primary.end();
  }
}

const waits = (stderr: string): LogLine[] =>
  stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine).filter((line) => line.event === 'waiting for replicas to catch up');

describe.skipIf(unavailable !== undefined)('a real streaming standby', () => {
  beforeAll(async () => {
    cluster = await startThrowawayCluster({ standby: true });
    await seedWithCopies(cluster.primary, ['lethe_paused', 'lethe_paced'], { scale: 1 });
    await waitForReplay();
  }, 600_000);

  afterAll(async () => {
    await cluster?.remove();
  }, 120_000);

  it('with replay paused, pauses the run, logs the lag and exits 3 at --max-runtime; after resume the next run completes', async () => {
    await onStandby('SELECT pg_wal_replay_pause()');
    // Lag is time: a paused standby is 2 s behind only 2 s after the first write it missed, so the
    // run is paced to outlast the limit however fast the machine deletes.
    let held;
    try {
      held = await runLethe(runArgs('lethe_paused', ['--only', 'device-logs', '--batch-size', '200', '--max-rows-per-second', '300', '--max-replica-lag', '2s', '--max-runtime', '10s']));
    } finally {
      // A failed expectation below must not leave the next test a standby that never replays.
      await onStandby('SELECT pg_wal_replay_resume()');
    }
    expect(held.code, held.stderr).toBe(3);
    const logged = waits(held.stderr);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.at(-1)).toMatchObject({ standby: 'lethe_test_standby', maxMs: 2000 });
    expect(Number(logged.at(-1)!.lagMs)).toBeGreaterThan(2000);
    expect(Number(logged.at(-1)!.behindBytes)).toBeGreaterThan(0);
    expect(parseReport(held.stdout).rules[0]!.status).toBe('partial');

    const done = await runLethe(runArgs('lethe_paused', ['--only', 'device-logs', '--batch-size', '200', '--max-replica-lag', '2s']));
    expect(done.code, done.stderr).toBe(0);
    expect(parseReport(done.stdout).rules[0]!.status).toBe('done');
    // Nothing of the rule is left to do, and the standby ends with exactly the primary's rows.
    const plan = await runLethe(['plan', '--db', cluster.primary.url('lethe_paused'), '--rules', RULES_DIR, '--now', BENCH_NOW, '--only', 'device-logs', '--format', 'json']);
    expect(parseReport(plan.stdout).rules[0]!.phases.every((phase) => (phase as { candidates?: number }).candidates === 0)).toBe(true);
    await waitForReplay();
    const primary = openDb(cluster.primary, 'lethe_paused');
    const standby = openDb(cluster.standby!, 'lethe_paused');
    try {
      expect(await tableChecksum(standby, 'device_logs')).toBe(await tableChecksum(primary, 'device_logs'));
    } finally {
      await primary.destroy();
      await standby.destroy();
    }
  }, 300_000);

  it('against a replaying standby keeps its lag near --max-replica-lag (the maximum seen is printed)', async () => {
    const limitMs = 1000;
    const watcher = new pg.Client({ connectionString: cluster.primary.url() });
    await watcher.connect();
    let maxLagMs = 0;
    let maxBehindBytes = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const result = await watcher.query<{ lag: number | null; behind: string | null }>(
          `SELECT max(extract(epoch FROM replay_lag) * 1000)::float8 AS lag, max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))::text AS behind FROM pg_stat_replication`,
        );
        maxLagMs = Math.max(maxLagMs, result.rows[0]?.lag ?? 0);
        maxBehindBytes = Math.max(maxBehindBytes, Number(result.rows[0]?.behind ?? 0));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const started = Date.now();
    const run = startLethe(runArgs('lethe_paced', ['--batch-size', '500', '--max-replica-lag', `${limitMs}ms`]));
    const outcome = await run.exited;
    watching = false;
    await watch;
    await watcher.end();
    const report = `replica lag under --max-replica-lag ${limitMs}ms: max replay_lag seen ${Math.round(maxLagMs)} ms, max ${maxBehindBytes} bytes behind, ${waits(outcome.stderr).length} waits, run ${((Date.now() - started) / 1000).toFixed(1)} s`;
    process.stderr.write(`${report}\n`);
    expect(outcome.code, outcome.stderr).toBe(0);
    // Checked between batches: a batch may add its own duration to the limit. Generous under load.
    expect(maxLagMs, report).toBeLessThan(limitMs + 10_000);
  }, 300_000);
});
