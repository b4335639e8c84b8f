import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
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
import type { ActionFactory } from '../program.js';
import { renderRuleFailure } from '../render-error.js';
import { requireWritable } from '../require-writable.js';
import { writeText } from '../write-report.js';

interface EraseFlags {
  subject?: string[];
  subjectsFile?: string;
  requestId?: string;
  kind?: string;
  only?: string;
  dryRun: boolean;
  yes: boolean;
  batchSize?: string;
  maxRuntime?: string;
  failIfLocked: boolean;
  format: ReportFormat;
  out?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerErase(program: Command, action: ActionFactory): void {
  program
    .command('erase')
    .description("a person's rows in every rule of their kind, now: the rule's final action (or its request:), holds win; prints a receipt")
    .option('--subject <id>', 'the id of a person to erase (repeatable)', collect)
    .option('--subjects-file <file>', 'ids to erase, one per line (# comments and blank lines are skipped)')
    .option('--request-id <id>', 'the request (ticket) id; a rerun with the same id resumes it (default: a new id)')
    .option('--kind <kind>', 'the kind of subject (a key of holds in lethe.yaml, e.g. customer or staff); default: the default kind')
    .option('--only <ids>', 'only these rule ids, comma-separated')
    .option('--dry-run', 'count what would be removed and kept, write nothing', false)
    .option('--yes', 'do not ask before writing on a terminal', false)
    .option('--batch-size <n|auto>', 'rows per batch; auto adapts to the target duration', 'auto')
    .option('--max-runtime <duration>', 'stop after the current batch once this long has passed (exit 3; rerun the same --request-id)')
    .option('--fail-if-locked', 'exit 5 when a run holds one of the rules', false)
    .addOption(new Option('--format <format>', 'receipt format').choices(['text', 'json', 'markdown']).default('text'))
    .option('--out <file>', 'write the receipt to a file instead of stdout')
    .action(action<EraseFlags>((ctx, flags) => runEraseCommand(ctx, flags)));
}

async function runEraseCommand(ctx: CommandContext, flags: EraseFlags): Promise<number> {
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
