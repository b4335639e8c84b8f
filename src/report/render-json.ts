import type { Report } from './types.js';

/** One JSON document, versioned by `lethe: 1`; its schema is schema/report.schema.json. */
export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
