import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { parseDatabaseUrl } from '../../db/connect.js';
import { LetheError } from '../../errors.js';
import { selectRules } from '../../plan/build-plan.js';
import type { ReportFormat } from '../../report/render-report.js';
import { causeOf } from '../../report/failure-cause.js';
import { collectSubjects, parseRequestId, parseSubjectsFile } from '../../requests/parse-subjects.js';
import { renderReceipt } from '../../requests/render-receipt.js';
import { exitCodeOfErase, runErase } from '../../requests/run-erase.js';
import { loadRulesOrThrow } from '../../rules/load-rules.js';
import type { CommandContext } from '../context.js';
import { withDatabase } from '../open-database.js';
import { parseDurationFlag, parseOnly, parsePositiveInteger } from '../parse-flags.js';
import { renderRuleFailure } from '../render-error.js';
import { requireWritable } from '../require-writable.js';
import { writeText } from '../write-report.js';
import type { EraseFlags } from './erase.js';

/** The erase command's handler, loaded on first use: `--help` never loads the engine. */
export async function runEraseCommand(ctx: CommandContext, flags: EraseFlags): Promise<number> {
  const ids = collectSubjects(flags.subject ?? [], flags.subjectsFile === undefined ? undefined : await readSubjectsFile(flags.subjectsFile), flags.subjectsFile);
  const requestId = parseRequestId(flags.requestId);
  const batchSize = flags.batchSize === 'auto' || flags.batchSize === undefined ? undefined : parsePositiveInteger('--batch-size', flags.batchSize);
  const maxRuntimeMs = parseDurationFlag('--max-runtime', flags.maxRuntime);
  const only = parseOnly(flags.only);
  const { ruleSet } = await loadRulesOrThrow(ctx.globals.rules);
  selectRules(ruleSet.rules, only);
  await requireWritable(flags.out, '--out');
  const url = parseDatabaseUrl(ctx.globals.db);
  const interactive = ctx.io.stdinIsTTY && ctx.io.stderrIsTTY && !flags.yes && !flags.dryRun;
  const progress = ctx.createProgress();
  progress.start(`erasing ${ids.length} ${ids.length === 1 ? 'person' : 'people'}`);
  const outcome = await withDatabase(ctx, (db) =>
    runErase(db, ruleSet, {
      url,
      now: new Date(),
      ids,
      kind: flags.kind,
      only,
      requestId,
      dryRun: flags.dryRun,
      osUser: readOsUser(),
      batchSize,
      maxRuntimeMs,
      signal: ctx.signal,
      logger: ctx.logger,
      readSecret: (name) => ctx.io.env[name],
      ...(interactive
        ? {
            confirm: async (preview) => {
              progress.stop();
              ctx.io.writeStderr(renderReceipt(preview, 'text'));
              ctx.io.writeStderr('These counts are the most the erasure will change: a batch that would go beyond them rolls back (exit 4).\n');
              return ctx.io.ask('Erase these rows?');
            },
          }
        : {}),
      onBatch: (event) => {
        if (progress.interactive) progress.update(`${event.ruleId} ${event.action}: ${event.totalRows} rows`);
        else ctx.logger.info('batch', { ...event });
      },
    }),
  );
  progress.stop();
  await writeText(ctx, renderReceipt(outcome.receipt, flags.format), flags.out, flags.format);
  for (const rule of outcome.report?.rules ?? []) {
    if (rule.error) ctx.io.writeStderr(renderRuleFailure(rule.id, rule.error, causeOf(rule.error), ctx.globals.verbose));
    if (rule.status === 'skipped') ctx.io.writeStderr(`lethe: rule '${rule.id}' skipped: another run holds its lock; run the same --request-id again\n`);
  }
  return exitCodeOfErase(outcome, flags.failIfLocked);
}

async function readSubjectsFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LetheError('USAGE', `--subjects-file ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? 'error'})`}`, { hint: 'nothing was written', cause: error });
  }
  return parseSubjectsFile(text, file);
}

/** Who ran the request, for its record; an OS without a user name records none. */
function readOsUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}
