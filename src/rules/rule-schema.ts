import { z } from 'zod';
import { IDENTIFIER_PATTERN, SUBJECT_KIND_PATTERN, TABLE_PATTERN, identifierProblem, parseTableName } from './identifiers.js';
import { DURATION_PATTERN } from './parse-duration.js';

/**
 * What a user writes in a rule file (format version 1). The JSON Schema shipped
 * in schema/ is generated from these, so editors and `validate` agree.
 */

export { DURATION_PATTERN } from './parse-duration.js';
export const BATCH_TARGET_PATTERN = /^[1-9][0-9]*(ms|s)$/;
export const RULE_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export { IDENTIFIER_PATTERN, TABLE_PATTERN } from './identifiers.js';
export { SUBJECT_KIND_PATTERN } from './identifiers.js';

const duration = z
  .union([z.literal(0), z.string().regex(DURATION_PATTERN, 'expected a duration like 0, 45m, 36h, 30d, 2w, 6mo or 1y')])
  .meta({ description: 'Age on the clock: 0, 45m, 36h, 30d, 2w, 6mo, 1y (months and years are calendar units)' });

const sqlFragment = z.string().min(1, 'must not be empty');
const column = z
  .string()
  .regex(IDENTIFIER_PATTERN, 'expected a column name exactly as spelled; a name containing a double quote is written in SQL quotes, its quotes doubled')
  .superRefine(refineIdentifier)
  .meta({ description: 'a column name exactly as spelled, case included (Email, Straße, Invoice Line), or in SQL quotes ("Invoice Line")' });
const tableName = z
  .string()
  .regex(TABLE_PATTERN, 'expected a table name, optionally schema-qualified (schema.table); quote a part that contains a dot: "my.schema".table')
  .superRefine((text, context) => {
    const parsed = parseTableName(text);
    for (const part of [parsed.schema, parsed.name]) if (part !== undefined) refineIdentifier(part, context);
  })
  .meta({ description: 'a table name exactly as spelled, optionally schema-qualified (store.Invoice); parts in SQL quotes when they contain a dot ("my.schema"."Invoice Line")' });

function refineIdentifier(text: string, context: z.RefinementCtx): void {
  const problem = identifierProblem(text);
  if (problem) context.addIssue({ code: 'custom', message: problem });
}

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

const subjectKind = z.string().regex(SUBJECT_KIND_PATTERN, 'expected a subject kind like customer or staff (lower case)');

export const writtenSubject = z
  .union([
    sqlFragment,
    z.strictObject({
      column: sqlFragment.meta({ description: 'SQL expression naming the subject, usually a column: payment.customer_id' }),
      kind: subjectKind.meta({ description: 'the kind of subject, a key of `holds` in lethe.yaml: customer, staff' }),
    }),
  ])
  .meta({ description: 'The person a row belongs to: an SQL expression (payment.customer_id), or { column, kind } when lethe.yaml holds several kinds of subject' });

export interface WrittenCascadeTable {
  table: string;
  subject?: z.output<typeof writtenSubject> | undefined;
  cascade?: WrittenCascadeNode[] | undefined;
}
export type WrittenCascadeNode = string | WrittenCascadeTable | Record<string, WrittenCascadeNode[]>;

/** One table of a cascade tree: its name, or `{ name: [children] }`, or `{ table, subject, cascade }`. */
export const writtenCascadeTable: z.ZodType<WrittenCascadeTable> = z.strictObject({
  table: tableName,
  subject: writtenSubject.optional(),
  get cascade() {
    return z.array(writtenCascadeNode).optional();
  },
});
export const writtenCascadeShorthand: z.ZodType<Record<string, WrittenCascadeNode[]>> = z
  .record(tableName, z.array(z.lazy(() => writtenCascadeNode)))
  .refine((value) => Object.keys(value).length === 1, 'expected one table with its children: { rental: [payment] }')
  .meta({ minProperties: 1, maxProperties: 1 });
export const writtenCascadeNode: z.ZodType<WrittenCascadeNode> = z
  .union([tableName, writtenCascadeTable, writtenCascadeShorthand])
  .meta({
    id: 'cascadeEntry',
    description: 'A table whose rows referencing a deleted row go first: `payment`, `{ rental: [payment] }` or `{ table: rental, subject: rental.customer_id, cascade: [payment] }`',
  });

const guard = z
  .strictObject({
    maxRows: z.number().int().positive().optional().meta({ description: 'most rows one run may change for the rule, all phases together' }),
    maxShare: z.number().gt(0).max(1).optional().meta({ description: "largest share of the table's rows one run may change (0 < share <= 1; default 0.9)" }),
    maxGrowth: z.number().min(1).optional().meta({ description: "largest factor over the previous run's rows (default 10)" }),
    minRows: z.number().int().min(0).optional().meta({ description: 'below this many rows the share and growth limits do not trip (default 1000)' }),
  })
  .meta({ description: 'blast-radius limits checked before a real run writes; --override-guard RULE passes them deliberately' });

/** What `lethe erase` does to this rule's rows of the requested people (docs/erase.md). */
export const writtenRequest = z
  .union([
    z.enum(['skip', 'delete', 'anonymize']),
    z.strictObject({
      action: z.enum(['skip', 'delete', 'anonymize']),
      set: z.record(column, writtenStrategy).optional().meta({ description: 'anonymize: the columns and strategies (default: those of the last anonymize or pseudonymize phase)' }),
      mark: column.optional().meta({ description: 'anonymize: timestamp column set when a row is done; needed for fake' }),
      reason: z.string().min(1).optional().meta({ description: 'why (a law, a contract): printed in the receipt, e.g. "tax law: invoices are kept 10 years"' }),
    }),
  ])
  .meta({
    description:
      "What an erasure request (lethe erase) does to the person's rows: skip (kept, e.g. by law), delete, or anonymize; default: the rule's final action. An object adds set and the reason the receipt prints.",
  });
export const exportOmitSchema = z.strictObject({
  omit: z.array(column).min(1, 'list at least one column to leave out').meta({ description: 'columns left out of every export of this table: secrets such as password hashes and tokens' }),
});

/** What `lethe export` may show of a rule's table: all of it (default), nothing, or all but some columns. */
export const writtenExport = z
  .union([z.boolean(), exportOmitSchema])
  .meta({ description: '`lethe export`: false leaves the whole table out; { omit: [password_hash] } leaves those columns out (default: true, every column)' });

const batch = z.strictObject({
  target: z.string().regex(BATCH_TARGET_PATTERN, 'expected a duration like 250ms or 1s').optional(),
  maxRows: z.number().int().positive().optional(),
});

export const writtenRule = z.strictObject({
  id: z.string().regex(RULE_ID_PATTERN, 'expected a kebab-case id like device-logs'),
  description: z.string().optional(),
  table: tableName,
  key: z.union([column, z.array(column).min(1)]).optional(),
  subject: writtenSubject.optional(),
  clock: sqlFragment,
  join: sqlFragment.optional(),
  where: sqlFragment.optional(),
  hold: sqlFragment.optional(),
  schedule: z.string().optional(),
  timezone: z.string().optional(),
  cascade: z.array(writtenCascadeNode).optional(),
  after: z
    .array(z.string().regex(RULE_ID_PATTERN, 'expected a rule id'))
    .optional()
    .meta({ description: 'ids of rules that must run before this one in the same run, besides the order its fragments imply (readers of a table before the rules that delete from it)' }),
  partitions: z
    .enum(['auto', 'drop', 'delete'])
    .optional()
    .meta({ description: "delete phases on a range-partitioned table: auto drops partitions whose bound lies before the cutoff unless the table is published or has DELETE triggers; drop also then; delete never drops" }),
  batch: batch.optional(),
  guard: guard.optional(),
  request: writtenRequest.optional(),
  export: writtenExport.optional(),
  keep: z
    .record(column, z.string().trim().min(1, 'say why the column is kept: keep: { status: "not personal: account state" }'))
    .optional()
    .meta({ description: 'columns of the table that no phase changes and that stay on purpose, each with the reason (column: reason); `check --coverage` requires every column to be changed, deleted or kept' }),
  phases: z.array(writtenPhase).min(1, 'a rule needs at least one phase'),
});

export const writtenRuleFile = z
  .strictObject({
    category: z.string().regex(RULE_ID_PATTERN, 'expected a kebab-case category like device-logs'),
    description: z.string().optional(),
    rules: z.array(writtenRule).min(1, 'a rule file needs at least one rule'),
  })
  .meta({ title: 'Lethe rule file (format version 1)' });

const classifyCategory = z.string().regex(RULE_ID_PATTERN, 'expected a kebab-case category like phone or wechat');
const classifyWords = z.array(z.string().trim().min(1)).min(1);

const classifySettings = z
  .strictObject({
    names: z
      .record(classifyCategory, classifyWords)
      .optional()
      .meta({ description: 'more column-name words or phrases per category (lower case, words joined by _): { phone: [lianxi_dianhua], wechat: [wx_id] }; a new category is allowed' }),
    comments: z.record(classifyCategory, classifyWords).optional().meta({ description: 'more words of column comments per category, any language' }),
    values: z
      .record(classifyCategory, z.string().min(1))
      .optional()
      .meta({ description: 'a regular expression per category that sampled values match (`--sample N`); replaces the built-in one' }),
    personTables: classifyWords.optional().meta({ description: 'more words of table names that hold people (users, customers are built in)' }),
  })
  .meta({ description: 'extends the personal-data classifier used by `lethe init` and `check --coverage`' });

const coverageSettings = z
  .strictObject({
    schemas: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .meta({ description: 'schemas searched for personal columns in tables no rule covers; default: every schema but pg_*, information_schema and Lethe\'s own' }),
    ignore: z
      .record(z.string().min(1), z.string().trim().min(1, 'say why: ignore: { audit_log: "kept 10 years by law (policy III.2)" }'))
      .optional()
      .meta({ description: 'tables (`legal_holds`, `audit.*`) or columns (`legal_holds.reason`) never reported as uncovered, each with the reason' }),
  })
  .meta({ description: 'settings of `check --coverage`' });

export const writtenSettings = z
  .strictObject({
    holds: z
      .record(subjectKind, sqlFragment)
      .meta({
        description:
          'SQL returning the subject values on hold, by kind of subject: `subjects` for schemas with one kind, or one query per kind (customer, staff)',
      })
      .optional(),
    defaults: z
      .strictObject({
        batch: batch.optional(),
        timezone: z.string().optional(),
        guard: guard.optional(),
      })
      .optional(),
    classify: classifySettings.optional(),
    coverage: coverageSettings.optional(),
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

/** Chooses the schema of a cascade entry (or a `subject`) by its shape, so errors speak of that shape only. */
export function schemaForCascadeEntry(value: unknown, isSubject: boolean): { schema: z.ZodType | undefined; expected: string } {
  if (isSubject) {
    const expected = 'expected an SQL expression (payment.customer_id) or { column: payment.customer_id, kind: customer }';
    return { schema: value !== null && typeof value === 'object' && !Array.isArray(value) ? (writtenSubject as unknown as z.ZodUnion<[z.ZodType, z.ZodType]>).options[1] : undefined, expected };
  }
  const expected = 'expected a table name (payment), a table with its children ({ rental: [payment] }) or { table: rental, subject: …, cascade: […] }';
  if (typeof value === 'string') return { schema: tableName, expected };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { schema: undefined, expected };
  return { schema: 'table' in value ? writtenCascadeTable : writtenCascadeShorthand, expected };
}
