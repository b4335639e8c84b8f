import type { Knex } from 'knex';
import { withReadOnlySnapshot } from '../db/sql-client.js';
import { preparePlan } from '../plan/plan-retention.js';
import type { RuleSet } from '../rules/types.js';
import { buildExportPlan } from './build-export-plan.js';
import { documentWriter, type ExportFormat, type ExportHeader } from './export-document.js';
import { selectSubjectRules } from './select-subject-rules.js';
import { streamExport, type ExportSink } from './stream-export.js';

export interface ExportSubjectOptions {
  subject: string;
  kind: string | undefined;
  format: ExportFormat;
  now: Date;
  sink: ExportSink;
  signal?: AbortSignal | undefined;
  fetchRows?: number;
}

/**
 * `lethe export`: one person's rows from every rule's table (and the tables that
 * hang from them), read in one READ ONLY, REPEATABLE READ snapshot: the server
 * refuses any write, and every table is read as of the same instant.
 */
export async function exportSubject(db: Knex, ruleSet: RuleSet, options: ExportSubjectOptions): Promise<ExportHeader> {
  const rules = selectSubjectRules(ruleSet.rules, options.kind);
  return withReadOnlySnapshot(db, async (client) => {
    const { plan, catalog } = await preparePlan(client, ruleSet, options.now, rules.map((rule) => rule.id));
    const exportPlan = buildExportPlan(plan.rules, ruleSet.rules, catalog);
    return streamExport(client, exportPlan, {
      subject: options.subject,
      kind: options.kind,
      exportedAt: options.now,
      writer: documentWriter(options.format),
      sink: options.sink,
      signal: options.signal,
      fetchRows: options.fetchRows,
    });
  });
}
