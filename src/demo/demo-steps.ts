import type { Knex } from 'knex';
import type { CommandContext } from '../cli/context.js';
import { applyBench3dSchema } from '../bench3d/apply-schema.js';
import { seedBench3d } from '../bench3d/seed-bench3d.js';
import { BENCH3D_TABLES } from '../bench3d/tables.js';
import { LetheError } from '../errors.js';

export interface DemoOptions {
  scale: number;
  seed: number;
  /** Frozen once for the whole story: seeding and every count use the same now. */
  now: Date;
  /** The demo database, for the run's own connections. */
  url: string;
}

export interface DemoContext extends CommandContext {
  demo: DemoOptions;
  /** One line of the story on stdout; progress and logs stay on stderr. */
  say(line?: string): void;
}

/** One chapter of the demo. Later chapters (plan, run, report) are appended to DEMO_STEPS. */
export interface DemoStep {
  title: string;
  run(ctx: DemoContext, db: Knex): Promise<void>;
}

export const DEMO_STEPS: readonly DemoStep[] = [
  {
    title: 'Create the Bench3D schema',
    run: async (ctx, db) => {
      await applyBench3dSchema(db);
      ctx.say(`   ${BENCH3D_TABLES.length} tables of a 3D-model collaboration service, each commented with the policy clause that governs it.`);
    },
  },
  {
    title: 'Seed synthetic users, logins, device logs and models',
    run: async (ctx, db) => {
      const progress = ctx.createProgress();
      progress.start(`seeding at scale ${ctx.demo.scale}`);
      try {
        const result = await seedBench3d(db, {
          scale: ctx.demo.scale,
          seed: ctx.demo.seed,
          now: ctx.demo.now,
          signal: withErrorReason(ctx.signal),
          onProgress: (table, rows) => progress.update(`seeding ${table}: ${formatCount(rows)} rows`),
        });
        progress.succeed('seeded');
        const total = Object.values(result.tables).reduce((sum, rows) => sum + rows, 0);
        ctx.say(`   ${formatCount(total)} rows in ${formatSeconds(result.durationMs)} (${formatCount(Math.round(result.rowsPerSecond))} rows/s), the same for every run with seed ${ctx.demo.seed}:`);
      } catch (error) {
        progress.fail(ctx.signal.aborted ? 'seeding stopped' : 'seeding failed');
        throw error;
      }
      const counts = await countRows(db);
      const width = Math.max(...counts.map(([table]) => table.length));
      for (const [table, rows] of counts) ctx.say(`     ${table.padEnd(width)}  ${formatCount(rows).padStart(7)}`);
    },
  },
  {
    title: 'What the privacy policy asks us to forget',
    run: async (ctx, db) => {
      const facts = await readRetentionFacts(db, ctx.demo.now);
      ctx.say(`   ${formatCount(facts.cancelledUsers)} users cancelled their account: their data must be deleted or anonymized (V.3).`);
      ctx.say(`   ${formatCount(facts.minorsWithoutConsent)} accounts belong to children under 14 without a guardian's consent: delete as soon as possible (VI).`);
      ctx.say(`   ${formatCount(facts.heldUsers)} users are under an active legal hold: no rule may touch their data (III.2).`);
      ctx.say(
        `   ${formatCount(facts.deviceLogsOlderThan30d)} device logs are older than 30 days (identifiers to anonymize), ` +
          `${formatCount(facts.deviceLogsOlderThan180d)} of them older than 180 days (to delete) (I.3); ` +
          `${formatCount(facts.deviceLogsWithoutClock)} have no timestamp and never expire.`,
      );
      ctx.say(
        `   ${formatCount(facts.modelsNoLongerPublic)} models were public and are not any more, yet ` +
          `${formatCount(facts.metadataOfModelsNoLongerPublic)} metadata rows collected from them are still stored (I.7).`,
      );
    },
  },
];

/**
 * Runs the chapters in order. Ctrl-C or SIGTERM stops between two chapters, or inside one
 * that watches ctx.signal (seeding does).
 */
export async function runDemoSteps(ctx: DemoContext, db: Knex, steps: readonly DemoStep[] = DEMO_STEPS): Promise<void> {
  for (const [index, step] of steps.entries()) {
    const where = `step ${index + 1} (${step.title})`;
    if (ctx.signal.aborted) throw stoppedError(ctx.signal, `before ${where}`);
    ctx.say('');
    ctx.say(`${index + 1}. ${step.title}`);
    try {
      await step.run(ctx, db);
    } catch (error) {
      if (ctx.signal.aborted) throw stoppedError(ctx.signal, `during ${where}`, error);
      throw error;
    }
  }
}

/**
 * main() aborts with the signal's name, a string; the seeder rethrows the reason into
 * pg-copy-streams, which crashes the process on a reason without a message. An Error avoids that.
 */
function withErrorReason(signal: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const forward = () => controller.abort(new Error(`stopped by ${String(signal.reason)}`));
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  return controller.signal;
}

function stoppedError(signal: AbortSignal, when: string, cause?: unknown): LetheError {
  return new LetheError('STOPPED', `demo stopped by ${String(signal.reason ?? 'a signal')} ${when}`, {
    hint: 'run lethe demo again to see the whole story',
    cause,
  });
}

async function countRows(db: Knex): Promise<[string, number][]> {
  const counts: [string, number][] = [];
  for (const table of BENCH3D_TABLES) {
    const result = await db.raw<{ rows: { rows: string }[] }>('SELECT count(*) AS rows FROM ??', [table]);
    counts.push([table, Number(result.rows[0]!.rows)]);
  }
  return counts;
}

interface RetentionFacts {
  cancelledUsers: number;
  minorsWithoutConsent: number;
  heldUsers: number;
  deviceLogsOlderThan30d: number;
  deviceLogsOlderThan180d: number;
  deviceLogsWithoutClock: number;
  modelsNoLongerPublic: number;
  metadataOfModelsNoLongerPublic: number;
}

/** The predicates match the shipped rules (rules/*.yaml), so the later plan shows the same people. */
async function readRetentionFacts(db: Knex, now: Date): Promise<RetentionFacts> {
  const result = await db.raw<{ rows: Record<keyof RetentionFacts, string>[] }>(
    `SELECT
       (SELECT count(*) FROM users WHERE status = 'cancelled') AS "cancelledUsers",
       (SELECT count(*) FROM users
         WHERE birth_date > (created_at - interval '14 years')::date AND NOT guardian_consent) AS "minorsWithoutConsent",
       (SELECT count(DISTINCT user_id) FROM legal_holds WHERE released_at IS NULL) AS "heldUsers",
       (SELECT count(*) FROM device_logs WHERE created_at < CAST(:now AS timestamptz) - interval '30 days') AS "deviceLogsOlderThan30d",
       (SELECT count(*) FROM device_logs WHERE created_at < CAST(:now AS timestamptz) - interval '180 days') AS "deviceLogsOlderThan180d",
       (SELECT count(*) FROM device_logs WHERE created_at IS NULL) AS "deviceLogsWithoutClock",
       (SELECT count(DISTINCT m.id) FROM models m JOIN public_model_metadata pm ON pm.model_id = m.id
         WHERE m.visibility <> 'public') AS "modelsNoLongerPublic",
       (SELECT count(*) FROM public_model_metadata pm JOIN models m ON m.id = pm.model_id
         WHERE m.visibility <> 'public') AS "metadataOfModelsNoLongerPublic"`,
    { now: now.toISOString() },
  );
  const row = result.rows[0]!;
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)])) as unknown as RetentionFacts;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
