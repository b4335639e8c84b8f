import { Option, type Command } from 'commander';
import { LetheError } from '../../errors.js';
import type { ExportFormat } from '../../requests/export-document.js';
import { loadRulesOrThrow } from '../../rules/load-rules.js';
import { SUBJECT_KIND_PATTERN } from '../../rules/identifiers.js';
import { openExportSink } from '../open-export-sink.js';
import { withDatabase } from '../open-database.js';
import type { ActionFactory } from '../program.js';

interface ExportFlags {
  subject: string;
  kind?: string;
  format: ExportFormat;
  out?: string;
}

export function registerExport(program: Command, action: ActionFactory): void {
  program
    .command('export')
    .description("one person's rows from every rule's table as JSON, read in one snapshot; writes nothing")
    .requiredOption('--subject <id>', 'the subject value, as the rules\' subject columns hold it (never logged)')
    .option('--kind <kind>', 'the kind of subject (a key of holds in lethe.yaml); default: the default kind')
    .addOption(new Option('--format <format>', 'one JSON document, or JSON Lines (one row per line) for large exports').choices(['json', 'jsonl']).default('json'))
    .option('--out <file>', 'write the export to this file (created readable by its owner only) instead of stdout')
    .action(
      action<ExportFlags>(async (ctx, flags) => {
        if (flags.subject.trim() === '') throw new LetheError('USAGE', '--subject must not be empty');
        if (flags.kind !== undefined && !SUBJECT_KIND_PATTERN.test(flags.kind)) throw new LetheError('USAGE', `--kind: expected a kind of subject like customer (lower case), got ${flags.kind}`);
        const { ruleSet } = await loadRulesOrThrow(ctx.globals.rules);
        const now = new Date();
        const header = await withDatabase(ctx, async (db) => {
          const output = await openExportSink(ctx, flags.out);
          try {
            const { exportSubject } = await import('../../requests/export-subject.js');
            const written = await exportSubject(db, ruleSet, { subject: flags.subject, kind: flags.kind, format: flags.format, now, sink: output.sink, signal: ctx.signal });
            await output.finish();
            return written;
          } catch (error) {
            await output.abandon();
            throw error;
          }
        }, 1);
        ctx.logger.info('export done', { status: header.status, rows: header.rows, tables: header.tables.filter((table) => table.rows > 0).length, ...(flags.out ? { file: flags.out } : {}) });
        return 0;
      }),
    );
}
