import { z } from 'zod';

/**
 * The published shape of the `coverage` member of `lethe check --coverage --format json`
 * (schema/coverage.schema.json is generated from this). Fields may be added, never renamed.
 */
export const coverageSchema = z
  .object({
    status: z.enum(['covered', 'uncovered']),
    tables: z.array(
      z.object({
        table: z.string(),
        columns: z.number().int().min(0),
        changed: z.number().int().min(0).meta({ description: 'columns some phase changes' }),
        deleted: z.number().int().min(0).meta({ description: 'columns every rule on the table removes with the row' }),
        kept: z.number().int().min(0).meta({ description: 'columns kept on purpose (keep, coverage.ignore, or the row key)' }),
      }),
    ),
    uncovered: z.array(
      z.object({
        table: z.string(),
        column: z.string(),
        why: z.enum(['not-changed', 'no-rule']).meta({ description: 'not-changed: rules touch the table but leave the column; no-rule: a personal column of a table no rule touches' }),
        rules: z.array(z.object({ id: z.string(), file: z.string(), line: z.number().int() })),
        category: z.string().optional().meta({ description: "the classifier's guess: email, phone, ip, device, account, national-id, birth, geo, name, photo, address, free-text, json, secret, or a category of lethe.yaml" }),
        evidence: z.array(z.string()).meta({ description: 'why the classifier guessed so: name, comment, type, sample counts; never a value' }),
      }),
    ),
    kept: z.array(z.object({ table: z.string(), column: z.string(), rule: z.string(), reason: z.string() })),
    ignored: z.array(z.object({ target: z.string(), reason: z.string() })),
  })
  .meta({ title: 'Lethe check --coverage: the coverage member of the JSON report' });

export function buildCoverageJsonSchema(): unknown {
  return z.toJSONSchema(coverageSchema, { io: 'input' });
}
