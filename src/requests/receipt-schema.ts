import { z } from 'zod';

/**
 * The published shape of `lethe erase --format json` (schema/receipt.schema.json is
 * generated from this). Version 1: fields may be added, never renamed.
 */
const count = z.number().int().min(0);
const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const subjectStatus = z.enum(['pending', 'done', 'not-found', 'held']);

const keptRows = z.object({
  reason: z.enum(['where', 'hold', 'request-skip']).meta({ description: "where: the rule's where leaves them out on purpose; hold: a hold protects them; request-skip: the rule's request: skip" }),
  rows: count,
  hold: z.string().optional().meta({ description: 'for hold: holds.<kind>, rule hold, or cascade <table> (a held row a delete would take along)' }),
  detail: z.string().optional().meta({ description: "for request-skip: the rule's stated reason" }),
});

const receiptRule = z.object({
  id: z.string(),
  category: z.string(),
  table: z.string(),
  action: z.enum(['delete', 'anonymize', 'pseudonymize', 'skip']),
  status: z.enum(['planned', 'done', 'partial', 'skipped', 'failed', 'kept']),
  rows: count.meta({ description: "rows of the rule's table removed or changed (a dry run: that would be)" }),
  cascades: z.array(z.object({ table: z.string(), by: z.enum(['rule', 'database']), rows: count })).optional(),
  kept: z.array(keptRows),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  lockedBy: z.object({ pid: z.number().int(), applicationName: z.string() }).nullable().optional(),
});

export const receiptSchema = z
  .object({
    lethe: z.literal(1),
    receipt: z.literal('erase'),
    mode: z.enum(['dry-run', 'erase']),
    requestId: z.string().nullable(),
    status: z.enum(['planned', 'done', 'not-found', 'stopped', 'failed']),
    alreadyDone: z.boolean().optional().meta({ description: 'a rerun of a finished request: its stored receipt; nothing was done again' }),
    kind: z.string().meta({ description: 'the kind of subject (a key of holds in lethe.yaml)' }),
    now: isoTime,
    startedAt: isoTime.optional(),
    finishedAt: isoTime.optional(),
    requestedBy: z.object({ role: z.string(), osUser: z.string().nullable() }).optional(),
    subjects: z.object({
      requested: count,
      done: count,
      pending: count,
      notFound: count,
      held: count,
      digests: z
        .array(z.object({ digest: z.string(), status: subjectStatus }))
        .optional()
        .meta({ description: "each person as a keyed digest under the database's ledger key, never the id" }),
    }),
    categories: z.array(z.string()),
    rules: z.array(receiptRule),
    tables: z.array(z.object({ table: z.string(), removed: count, anonymized: count, kept: count })),
    ledgerHead: z.object({ seq: count, hash: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  })
  .meta({ title: 'Lethe erasure receipt (version 1)' });

export function buildReceiptJsonSchema(): unknown {
  return z.toJSONSchema(receiptSchema, { io: 'output' });
}
