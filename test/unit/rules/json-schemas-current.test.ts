import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildJsonSchemas } from '../../../src/rules/build-json-schemas.js';
import { buildCoverageJsonSchema } from '../../../src/report/coverage-schema.js';

const read = (name: string) => JSON.parse(readFileSync(new URL(`../../../schema/${name}`, import.meta.url), 'utf8')) as unknown;

describe('schema/*.json', () => {
  it('match what `npm run schema` generates from the zod schemas (keep, classify and coverage included)', () => {
    for (const [name, schema] of Object.entries(buildJsonSchemas())) expect(read(name), name).toEqual(JSON.parse(JSON.stringify(schema)));
    expect(read('coverage.schema.json')).toEqual(JSON.parse(JSON.stringify(buildCoverageJsonSchema())));
    expect(JSON.stringify(read('rule-file.schema.json'))).toContain('"keep"');
    expect(JSON.stringify(read('lethe-settings.schema.json'))).toContain('"classify"');
  });
});
