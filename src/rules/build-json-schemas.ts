import { z } from 'zod';
import { writtenRuleFile, writtenSettings } from './rule-schema.js';

/** The JSON Schemas shipped in schema/, generated from the zod schemas so they cannot drift. */
export function buildJsonSchemas(): Record<string, unknown> {
  return {
    'rule-file.schema.json': z.toJSONSchema(writtenRuleFile, { io: 'input' }),
    'lethe-settings.schema.json': z.toJSONSchema(writtenSettings, { io: 'input' }),
  };
}
