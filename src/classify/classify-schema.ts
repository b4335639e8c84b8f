import { classifyColumn, type ClassifyOptions } from './classify-column.js';
import type { SchemaFacts } from './read-schema-facts.js';
import type { Classification, SampleCounts } from './types.js';

/** Pure: every column of the schema the classifier flags as personal, table by table. */
export function classifySchema(facts: SchemaFacts, options: ClassifyOptions, samples: Map<string, SampleCounts> = new Map()): Classification[] {
  return facts.tables.flatMap((table) =>
    table.columns.flatMap((column) => {
      const found = classifyColumn(column, options, samples.get(`${table.name}.${column.column}`));
      return found ? [found] : [];
    }),
  );
}
