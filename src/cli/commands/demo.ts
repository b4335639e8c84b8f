import type { Command } from 'commander';
import type { Knex } from 'knex';
import { connect, parseDatabaseUrl } from '../../db/connect.js';
import { createScratchDatabase } from '../../demo/create-scratch-database.js';
import type { DemoContext, DemoOptions } from '../../demo/demo-steps.js';
import type { ThrowawayDatabase } from '../../demo/start-embedded-postgres.js';
import { LetheError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { parseScale, parseSeed } from '../parse-flags.js';
import type { ActionFactory } from '../program.js';

interface DemoCommandOptions {
  scale: string;
  seed: string;
  keep: boolean;
}

export function registerDemo(program: Command, action: ActionFactory): void {
  program
    .command('demo')
    .description('the whole story on an embedded database')
    .option('--scale <n>', 'size of the synthetic data (1 = 1,000 users, 20,000 device logs)', '0.2')
    .option('--seed <n>', 'random seed: the same seed gives the same data', '42')
    .option('--keep', 'leave the database in place afterwards, to explore it', false)
    .addHelpText(
      'after',
      '\nWithout --db or DATABASE_URL the demo starts its own PostgreSQL in a temporary folder.\n' +
        'With one, it works in a new database on that server, which it creates and drops.',
    )
    .action(action<DemoCommandOptions>(runDemo));
}

async function runDemo(ctx: CommandContext, options: DemoCommandOptions): Promise<number> {
  const started = Date.now();
  const scale = parseScale(options.scale);
  const seed = parseSeed(options.seed);
  const say = (line = '') => ctx.io.writeStdout(`${line}\n`);
  const database = await openThrowawayDatabase(ctx);
  const demo: DemoOptions = { scale, seed, now: new Date(), url: database.url };

  let failure: unknown;
  let db: Knex | undefined;
  try {
    say('Lethe demo: the whole story on a throwaway database');
    say(`   database: ${database.description}`);
    say(`   now: ${demo.now.toISOString()}, scale ${demo.scale}, seed ${demo.seed}`);
    db = await connect({ url: database.url, applicationName: 'lethe demo' });
    const demoContext: DemoContext = { ...ctx, demo, say };
    // The story's chapters bring the seeder and faker: loaded only for the demo.
    const [{ DEMO_STEPS, runDemoSteps }, { RETENTION_STEPS }, { REQUEST_STEPS }, { ERASE_STEP }] = await Promise.all([
      import('../../demo/demo-steps.js'),
      import('../../demo/retention-steps.js'),
      import('../../demo/request-steps.js'),
      import('../../demo/erase-step.js'),
    ]);
    await runDemoSteps(demoContext, db, [...DEMO_STEPS, ...RETENTION_STEPS, ...REQUEST_STEPS, ERASE_STEP]);
  } catch (error) {
    failure = error;
  }

  // Cleanup runs on success, on failure and after Ctrl-C; pools are closed so the process can end.
  await db?.destroy().catch(() => undefined);
  if (options.keep) {
    say('');
    say(`Kept ${database.description}`);
    for (const line of database.keep()) say(`   ${line}`);
  } else {
    try {
      await database.stop();
    } catch (error) {
      if (failure === undefined) failure = error;
      else ctx.logger.error('demo cleanup failed', { error: (error as Error)?.message ?? String(error) });
    }
  }
  if (failure !== undefined) throw failure;

  say('');
  say(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.${options.keep ? '' : ' The throwaway database is gone.'}`);
  return 0;
}

async function openThrowawayDatabase(ctx: CommandContext): Promise<ThrowawayDatabase> {
  const progress = ctx.createProgress();
  if (ctx.globals.db !== undefined) {
    const url = parseDatabaseUrl(ctx.globals.db);
    progress.start('creating a scratch database');
    try {
      const database = await createScratchDatabase(url);
      progress.succeed('scratch database created');
      return database;
    } catch (error) {
      progress.fail('could not create a scratch database');
      throw error;
    }
  }
  progress.start('starting an embedded PostgreSQL');
  try {
    const { startEmbeddedPostgres } = await import('../../demo/start-embedded-postgres.js');
    const database = await startEmbeddedPostgres();
    progress.succeed('embedded PostgreSQL started');
    return database;
  } catch (error) {
    progress.fail('the embedded PostgreSQL did not start');
    throw error;
  }
}
