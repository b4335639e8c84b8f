import { z } from 'zod';

/**
 * The published shape of `--format json` reports (docs/report.schema.json is
 * generated from this). Version 1: fields may be added, never renamed.
 */
const ruleStatus = z.enum(['planned', 'done', 'partial', 'skipped', 'failed']);
const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const count = z.number().int().min(0);

const phaseReport = z.object({
  after: z.string(),
  action: z.enum(['delete', 'anonymize', 'pseudonymize']),
  cutoff: isoTime,
  candidates: count.meta({ description: 'rows the phase would touch now (holds excluded); in a run, affected + remaining' }),
  held: count.meta({ description: 'rows excluded only by holds' }),
  heldBy: z
    .array(z.object({ reason: z.enum(['subject', 'hold', 'cascade']), table: z.string().optional(), rows: count }))
    .optional()
    .meta({ description: 'why rows are held, per reason (a row may count under several): its subject, the rule\'s hold, or a held row of `table` that a delete would take along' }),
  affected: count.meta({ description: 'rows changed (0 in a plan)' }),
  oldest: isoTime.nullable().meta({ description: 'the oldest clock among candidates: how overdue the work is' }),
  cascades: z.array(z.object({ table: z.string(), by: z.enum(['rule', 'database']), rows: count })).optional(),
  partitions: z.array(z.object({ partition: z.string(), bound: z.string(), rows: count })).optional(),
  partitionsNote: z.string().optional(),
  estimatedBatches: count.optional(),
  estimatedSeconds: z.number().min(0).optional(),
  preview: z
    .array(
      z.array(
        z.object({
          column: z.string(),
          before: z.object({ type: z.string(), length: count.nullable() }).meta({ description: 'the original: its type and length, never its value' }),
          does: z.string().meta({ description: 'what the strategy does, e.g. hmac, removes gps, masked, keeps 3+2' }),
          after: z.string().nullable().optional().meta({ description: 'the value after the strategy: only with --show-values' }),
          fit: z
            .object({ maxLength: count, how: z.enum(['drawn', 'redrawn', 'trimmed']) })
            .optional()
            .meta({ description: 'fake values in a varchar(n)/char(n) column are fitted on purpose: longer ones are drawn again, else trimmed to maxLength' }),
        }),
      ),
    )
    .optional(),
  deferred: count.optional(),
  batches: count.optional(),
  durationMs: z.number().min(0).optional(),
  remaining: count.optional(),
  failed: count.optional().meta({ description: 'rows left unchanged because a value broke the strategy' }),
  failedRows: z
    .array(z.object({ key: z.array(z.string()), column: z.string().nullable(), error: z.string() }))
    .optional()
    .meta({ description: 'the first 100 failed rows, by key (hmac:<digest> unless an integer or uuid key)' }),
  status: ruleStatus.optional(),
});

const ruleReport = z.object({
  id: z.string(),
  category: z.string(),
  table: z.string(),
  status: ruleStatus,
  phases: z.array(phaseReport),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  lockedBy: z.object({ pid: z.number().int(), applicationName: z.string(), since: isoTime.nullable() }).nullable().optional(),
  stoppedBecause: z.string().optional(),
  resumes: z
    .object({ runId: z.string(), now: isoTime })
    .optional()
    .meta({ description: "the unfinished run this rule continues: its phases' cutoffs come from this now, not the report's" }),
  runsAfter: z
    .array(z.object({ rule: z.string(), because: z.string() }))
    .optional()
    .meta({ description: 'rules of the same run this one waits for: readers of a table run before the rules that delete from or change it, and after: in the rule' }),
  clocksLost: z
    .object({ rows: count, because: z.string() })
    .optional()
    .meta({ description: 'run only: rows whose clock became NULL during the run because another rule changed what it is derived from; they no longer expire' }),
});

export const reportSchema = z
  .object({
    lethe: z.literal(1),
    mode: z.enum(['plan', 'dry-run', 'run']),
    now: isoTime,
    settings: z.string().nullable().optional().meta({ description: 'the settings file (lethe.yaml) the rules were read with; null when there was none' }),
    status: z.enum(['ok', 'partial', 'failed', 'stopped']),
    runId: z.string().optional(),
    fingerprint: z
      .object({ rules: z.string(), catalog: z.string() })
      .optional()
      .meta({ description: 'plans and dry runs: hashes of the selected rules and of the shape of their tables; run --plan refuses a plan whose fingerprint differs' }),
    overriddenGuards: z
      .array(z.object({ ruleId: z.string(), guard: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'real runs: safety guards passed deliberately with --override-guard (also in the ledger)' }),
    ledgerHead: z
      .object({ seq: count, hash: z.string().regex(/^[0-9a-f]{64}$/) })
      .optional()
      .meta({ description: 'run only: the ledger chain head after the run; keep it outside the database and check it with lethe status --verify-head SEQ:HASH' }),
    rules: z.array(ruleReport),
  })
  .meta({ title: 'Lethe report (version 1)' });

export function buildReportJsonSchema(): unknown {
  return z.toJSONSchema(reportSchema, { io: 'output' });
}
