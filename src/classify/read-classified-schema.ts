import type { Knex } from 'knex';
import { withReadOnlySnapshot } from '../db/sql-client.js';
import { DEFAULT_STATE_SCHEMA } from '../state/ensure-state-schema.js';
import type { ClassifySettings } from '../rules/types.js';
import { classifySchema } from './classify-schema.js';
import { mergePatterns } from './merge-patterns.js';
import { readSchemaFacts, type SchemaFacts } from './read-schema-facts.js';
import { sampleColumns } from './sample-columns.js';
import type { Classification } from './types.js';

export interface ClassifiedSchema {
  facts: SchemaFacts;
  personal: Classification[];
}

/**
 * The live schema's facts and the columns the classifier flags as personal, in one READ ONLY
 * snapshot; with `sample`, up to that many rows per table are matched in SQL (counts only).
 */
export async function readClassifiedSchema(db: Knex, options: { settings?: ClassifySettings | undefined; sample?: number | undefined; schemas?: string[] | undefined }): Promise<ClassifiedSchema> {
  const classify = mergePatterns(options.settings);
  return withReadOnlySnapshot(db, async (client) => {
    const facts = await readSchemaFacts(client, { schemas: options.schemas, skipSchemas: [DEFAULT_STATE_SCHEMA] });
    const samples = options.sample ? await sampleColumns(client, facts.tables, classify.patterns!, options.sample) : undefined;
    return { facts, personal: classifySchema(facts, classify, samples) };
  });
}
