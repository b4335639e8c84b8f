import { join } from 'node:path';
import type pg from 'pg';
import type { BenchCase } from './bench-cases.js';
import { compareCopies, readCopyState, type CopyState } from './check-copy.js';
import { copyPartitionedTable, copyTable, dropTable } from './copy-table.js';
import { TEMPLATE_TABLE } from './load-template.js';
import type { CliStart } from './measure-cli-start.js';
import { runLethe, type LetheRun } from './run-lethe.js';
import { runReference, type ReferenceRun } from './run-reference.js';
import { summarizeCase, type CaseResult } from './summarize-case.js';

export interface CaseContext {
  client: pg.Client;
  dbUrl: string;
  cli: string;
  now: Date;
  cutoff: string;
  repeat: number;
  workRoot: string;
  cliStart: CliStart;
  log(message: string): void;
}

type Side = 'reference' | 'lethe';

/**
 * Reference and Lethe alternately, each on its own fresh copy, `repeat` times; who goes first
 * alternates too, so neither side always gets the warmer cache. Medians of the runs.
 */
export async function runCase(ctx: CaseContext, benchCase: BenchCase): Promise<CaseResult> {
  const references: ReferenceRun[] = [];
  const lethes: LetheRun[] = [];
  const failures: string[] = [];
  try {
    await runRounds(ctx, benchCase, references, lethes, failures);
  } catch (error) {
    ctx.log(`[${benchCase.name}] harness error: ${(error as Error).message}`);
    failures.push(`harness error: ${(error as Error).message}`);
  }
  return summarizeCase(benchCase.name, benchCase.workers, ctx.cliStart, references, lethes, failures, benchCase.subjects);
}

async function runRounds(ctx: CaseContext, benchCase: BenchCase, references: ReferenceRun[], lethes: LetheRun[], failures: string[]): Promise<void> {
  const subjects = benchCase.subjects ? await chooseSubjects(ctx.client, benchCase.subjects) : [];
  for (let round = 0; round < ctx.repeat; round++) {
    const order: Side[] = round % 2 === 0 ? ['reference', 'lethe'] : ['lethe', 'reference'];
    const states = new Map<Side, CopyState & { rows: number }>();
    for (const side of order) {
      const table = `bench_${benchCase.name.replace(/-/g, '_')}_${round + 1}_${side}`;
      const label = `[${benchCase.name} ${round + 1}/${ctx.repeat}] ${side}`;
      ctx.log(`${label}: copying the template`);
      await (benchCase.partitioned ? copyPartitionedTable(ctx.client, table) : copyTable(ctx.client, table, benchCase.indexes));
      try {
        if (side === 'reference') {
          const run = await runReference(ctx.client, benchCase.reference(table, ctx.cutoff, subjects));
          references.push(run);
          ctx.log(`${label}: ${run.rows} rows in ${run.seconds.toFixed(2)} s, ${formatBytes(run.walBytes)} WAL`);
          states.set(side, { ...(await readCopyState(ctx.client, benchCase, table, ctx.cutoff, subjects)), rows: run.rows });
        } else {
          const ruleId = table.replace(/_/g, '-');
          const run = await runLethe({ cli: ctx.cli, dbUrl: ctx.dbUrl, client: ctx.client, benchCase, table, ruleId, now: ctx.now, workDir: join(ctx.workRoot, table), subjects });
          const batches = run.batchMs.length;
          ctx.log(`${label}: ${run.rows} rows in ${run.seconds.toFixed(2)} s, ${formatBytes(run.walBytes)} WAL, ${batches} batches${run.error ? `, FAILED: ${run.error}` : ''}`);
          if (run.error) failures.push(`run ${round + 1}: ${run.error}`);
          else lethes.push(run);
          states.set(side, { ...(await readCopyState(ctx.client, benchCase, table, ctx.cutoff, subjects)), rows: run.rows });
        }
      } finally {
        await dropTable(ctx.client, table);
      }
    }
    for (const problem of compareCopies(states.get('reference')!, states.get('lethe')!)) failures.push(`run ${round + 1}: ${problem}`);
  }
}

/** `count` user ids spread evenly over the template's users: the same people on both sides. */
async function chooseSubjects(client: pg.Client, count: number): Promise<string[]> {
  const result = await client.query<{ id: string }>(
    `SELECT id::text AS id FROM (SELECT user_id AS id, row_number() OVER (ORDER BY user_id) AS n, count(*) OVER () AS total FROM (SELECT DISTINCT user_id FROM ${TEMPLATE_TABLE} WHERE user_id IS NOT NULL) u) s
     WHERE (n - 1) % greatest(total / $1, 1) = 0 ORDER BY id LIMIT $1`,
    [count],
  );
  return result.rows.map((row) => row.id);
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
}
