import type { Command } from 'commander';
import type { SeedSummary } from '../../bench3d/seed-bench3d.js';
import { connect, parseDatabaseUrl } from '../../db/connect.js';
import { redactUrl } from '../../db/redact-url.js';
import { LetheError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { ActionFactory } from '../program.js';
import { parseNow, parseScale, parseSeed } from '../parse-flags.js';

interface SeedCommandOptions {
  scale: string;
  seed: string;
  now?: string;
}

export function registerSeed(program: Command, action: ActionFactory): void {
  program
    .command('seed')
    .description('load deterministic synthetic Bench3D data (schema included)')
    // Plain <n> flags: commander hands "-1" over as the value, and the checks below reject it.
    .option('--scale <n>', 'size: 1 = 1,000 users and 20,000 device logs; fractions allowed', '1')
    .option('--seed <s>', 'random seed: the same seed and --now give the same rows', '1')
    .option('--now <time>', 'anchor of every timestamp, ISO 8601 (default: the current time)')
    .addHelpText(
      'after',
      '\nCreates the Bench3D tables when they are missing, then loads them in one transaction.\n' +
        'Refuses a database whose Bench3D tables already hold rows.',
    )
    .action(action<SeedCommandOptions>(runSeed));
}

async function runSeed(ctx: CommandContext, options: SeedCommandOptions): Promise<number> {
  const scale = parseScale(options.scale);
  const seed = parseSeed(options.seed);
  const now = parseNow(options.now, () => new Date());
  const url = parseDatabaseUrl(ctx.globals.db);
  const db = await connect({ url, applicationName: 'lethe seed' });
  const progress = ctx.createProgress();
  try {
    progress.start(`seeding Bench3D into ${redactUrl(url)} (scale ${scale}, seed ${seed})`);
    // The seeder brings faker and the generators: loaded only when seeding.
    const { seedBench3d } = await import('../../bench3d/seed-bench3d.js');
    const summary = await seedBench3d(db, {
      scale,
      seed,
      now,
      signal: ctx.signal,
      onProgress: (table, rows) => progress.update(`seeding ${table}: ${rows.toLocaleString('en-US')} rows`),
    });
    progress.succeed(`seeded Bench3D in ${(summary.durationMs / 1000).toFixed(1)} s`);
    ctx.io.writeStdout(renderSeedSummary(summary, { scale, seed, now }));
    return 0;
  } catch (error) {
    progress.fail('seeding failed; nothing was written');
    throw error;
  } finally {
    await db.destroy();
  }
}

export function renderSeedSummary(summary: SeedSummary, anchor: { scale: number; seed: number; now: Date }): string {
  const count = (n: number) => Math.round(n).toLocaleString('en-US');
  const width = Math.max(...Object.keys(summary.tables).map((table) => table.length), 'total'.length);
  const total = Object.values(summary.tables).reduce((sum, rows) => sum + rows, 0);
  const numbers = Object.values(summary.tables).map(count).concat(count(total));
  const numberWidth = Math.max(...numbers.map((n) => n.length));
  const lines = [`seeded Bench3D: scale ${anchor.scale}, seed ${anchor.seed}, now ${anchor.now.toISOString()}`];
  for (const [table, rows] of Object.entries(summary.tables)) lines.push(`  ${table.padEnd(width)}  ${count(rows).padStart(numberWidth)}`);
  lines.push(
    `  ${'total'.padEnd(width)}  ${count(total).padStart(numberWidth)} rows in ${(summary.durationMs / 1000).toFixed(1)} s` +
      ` (${count(summary.rowsPerSecond)} rows/s; device_logs ${count(summary.deviceLogRowsPerSecond)} rows/s)`,
  );
  return lines.join('\n') + '\n';
}
