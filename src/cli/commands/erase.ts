import { Option, type Command } from 'commander';
import type { ReportFormat } from '../../report/render-report.js';
import type { ActionFactory } from '../program.js';

export interface EraseFlags {
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
    .action(action<EraseFlags>(async (ctx, flags) => (await import('./run-erase-command.js')).runEraseCommand(ctx, flags)));
}
