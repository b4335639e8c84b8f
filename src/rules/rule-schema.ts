import { z } from 'zod';

/**
 * What a user writes in a rule file (format version 1). The JSON Schema shipped
 * in schema/ is generated from these, so editors and `validate` agree.
 */

export const DURATION_PATTERN = /^(0|[1-9][0-9]*(m|h|d|w|mo|y))$/;
export const BATCH_TARGET_PATTERN = /^[1-9][0-9]*(ms|s)$/;
export const RULE_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_$]*$/;
export const TABLE_PATTERN = /^([A-Za-z_][A-Za-z0-9_$]*\.)?[A-Za-z_][A-Za-z0-9_$]*$/;

const duration = z
  .union([z.literal(0), z.string().regex(DURATION_PATTERN, 'expected a duration like 0, 45m, 36h, 30d, 2w, 6mo or 1y')])
  .meta({ description: 'Age on the clock: 0, 45m, 36h, 30d, 2w, 6mo, 1y (months and years are calendar units)' });

const sqlFragment = z.string().min(1, 'must not be empty');
const column = z.string().regex(IDENTIFIER_PATTERN, 'expected a column name');

export const nullStrategy = z.null().meta({ description: 'set NULL' });
export const valueStrategy = z.strictObject({ value: z.union([z.string(), z.number(), z.boolean()]) });
export const fakeStrategy = z.strictObject({
  fake: z.string().regex(/^[a-zA-Z]+\.[a-zA-Z][a-zA-Z0-9]*$/, 'expected module.method, e.g. person.firstName'),
});
export const generalizeIpStrategy = z.strictObject({ generalize: z.literal('ip'), bits: z.number().int().min(0).max(128) });
export const generalizeDateStrategy = z.strictObject({
  generalize: z.literal('date'),
  to: z.enum(['year', 'month', 'day', 'hour']),
});
export const generalizeNumberStrategy = z.strictObject({ generalize: z.literal('number'), step: z.number().positive() });
export const maskStrategy = z.strictObject({
  mask: z.strictObject({
    keepStart: z.number().int().min(0).default(0),
    keepEnd: z.number().int().min(0).default(0),
    char: z.string().length(1).default('*'),
  }),
});
export const jsonStrategy = z.strictObject({
  json: z.strictObject({ remove: z.array(z.string().min(1)).min(1) }),
});
export const hashStrategy = z.strictObject({
  hash: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected the name of an environment variable holding the secret'),
});

export const writtenStrategy = z
  .union([
    nullStrategy,
    valueStrategy,
    fakeStrategy,
    generalizeIpStrategy,
    generalizeDateStrategy,
    generalizeNumberStrategy,
    maskStrategy,
    jsonStrategy,
    hashStrategy,
  ])
  .meta({ description: 'How a column is changed: null, {value}, {fake}, {generalize}, {mask}, {json}, {hash}' });

export const writtenPhase = z.strictObject({
  after: duration,
  action: z.enum(['delete', 'anonymize', 'pseudonymize']),
  set: z.record(column, writtenStrategy).optional(),
  mark: column.optional().meta({ description: 'timestamp column set when a row is processed; needed for fake and hash' }),
});

const guard = z
  .strictObject({
    maxRows: z.number().int().positive().optional().meta({ description: 'most rows one run may change for the rule, all phases together' }),
    maxShare: z.number().gt(0).max(1).optional().meta({ description: "largest share of the table's rows one run may change (0 < share <= 1; default 0.9)" }),
    maxGrowth: z.number().min(1).optional().meta({ description: "largest factor over the previous run's rows (default 10)" }),
    minRows: z.number().int().min(0).optional().meta({ description: 'below this many rows the share and growth limits do not trip (default 1000)' }),
  })
  .meta({ description: 'blast-radius limits checked before a real run writes; --override-guard RULE passes them deliberately' });

const batch = z.strictObject({
  target: z.string().regex(BATCH_TARGET_PATTERN, 'expected a duration like 250ms or 1s').optional(),
  maxRows: z.number().int().positive().optional(),
});

export const writtenRule = z.strictObject({
  id: z.string().regex(RULE_ID_PATTERN, 'expected a kebab-case id like device-logs'),
  description: z.string().optional(),
  table: z.string().regex(TABLE_PATTERN, 'expected a table name, optionally schema-qualified'),
  key: z.union([column, z.array(column).min(1)]).optional(),
  subject: sqlFragment.optional(),
  clock: sqlFragment,
  join: sqlFragment.optional(),
  where: sqlFragment.optional(),
  hold: sqlFragment.optional(),
  schedule: z.string().optional(),
  timezone: z.string().optional(),
  cascade: z.array(z.string().regex(TABLE_PATTERN, 'expected a table name')).optional(),
  partitions: z
    .enum(['auto', 'drop', 'delete'])
    .optional()
    .meta({ description: "delete phases on a range-partitioned table: auto drops partitions whose bound lies before the cutoff unless the table is published or has DELETE triggers; drop also then; delete never drops" }),
  batch: batch.optional(),
  guard: guard.optional(),
  phases: z.array(writtenPhase).min(1, 'a rule needs at least one phase'),
});

export const writtenRuleFile = z
  .strictObject({
    category: z.string().regex(RULE_ID_PATTERN, 'expected a kebab-case category like device-logs'),
    description: z.string().optional(),
    rules: z.array(writtenRule).min(1, 'a rule file needs at least one rule'),
  })
  .meta({ title: 'Lethe rule file (format version 1)' });

export const writtenSettings = z
  .strictObject({
    holds: z.strictObject({ subjects: sqlFragment.optional() }).optional(),
    defaults: z
      .strictObject({
        batch: batch.optional(),
        timezone: z.string().optional(),
        guard: guard.optional(),
      })
      .optional(),
  })
  .meta({ title: 'Lethe settings (lethe.yaml)' });

/** The file without its rules, so each rule can be checked (and reported) on its own. */
export const writtenRuleFileShell = z.strictObject({
  category: writtenRuleFile.shape.category,
  description: z.string().optional(),
  rules: z.array(z.unknown()).min(1, 'a rule file needs at least one rule'),
});

export type WrittenRuleFile = z.output<typeof writtenRuleFile>;
export type WrittenRule = z.output<typeof writtenRule>;
export type WrittenPhase = z.output<typeof writtenPhase>;
export type WrittenStrategy = z.output<typeof writtenStrategy>;
export type WrittenSettings = z.output<typeof writtenSettings>;

/** Chooses the schema by the key that names a strategy, so errors speak of that strategy only. */
export function schemaForStrategy(value: unknown): z.ZodType | undefined {
  if (value === null) return nullStrategy;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if ('value' in record) return valueStrategy;
  if ('fake' in record) return fakeStrategy;
  if ('mask' in record) return maskStrategy;
  if ('json' in record) return jsonStrategy;
  if ('hash' in record) return hashStrategy;
  if (record.generalize === 'ip') return generalizeIpStrategy;
  if (record.generalize === 'date') return generalizeDateStrategy;
  if (record.generalize === 'number') return generalizeNumberStrategy;
  return undefined;
}

export const STRATEGY_NAMES = ['value', 'fake', 'generalize', 'mask', 'json', 'hash'];
