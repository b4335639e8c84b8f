import { writeFileSync } from 'node:fs';
import { buildJsonSchemas } from '../src/rules/build-json-schemas.js';
import { buildReportJsonSchema } from '../src/report/report-schema.js';
import { buildReceiptJsonSchema } from '../src/requests/receipt-schema.js';
import { buildCoverageJsonSchema } from '../src/report/coverage-schema.js';

for (const [name, schema] of Object.entries(buildJsonSchemas())) {
  writeFileSync(new URL(`../schema/${name}`, import.meta.url), JSON.stringify(schema, null, 2) + '\n');
  process.stdout.write(`wrote schema/${name}\n`);
}
writeFileSync(new URL('../schema/report.schema.json', import.meta.url), JSON.stringify(buildReportJsonSchema(), null, 2) + '\n');
process.stdout.write('wrote schema/report.schema.json\n');
writeFileSync(new URL('../schema/receipt.schema.json', import.meta.url), JSON.stringify(buildReceiptJsonSchema(), null, 2) + '\n');
process.stdout.write('wrote schema/receipt.schema.json\n');
writeFileSync(new URL('../schema/coverage.schema.json', import.meta.url), JSON.stringify(buildCoverageJsonSchema(), null, 2) + '\n');
process.stdout.write('wrote schema/coverage.schema.json\n');
