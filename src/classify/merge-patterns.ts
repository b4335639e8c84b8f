import type { ClassifySettings } from '../rules/types.js';
import type { ClassifyOptions } from './classify-column.js';
import { DEFAULT_PATTERNS, type PatternSet } from './patterns.js';

/** A category only lethe.yaml names fits text, numbers and user types (uuid, jsonb). */
const NEW_CATEGORY_FITS = ['S', 'N', 'U'];

/** The built-in patterns with `classify:` of lethe.yaml added: more names and comment words, replaced value patterns, new categories. */
export function mergePatterns(settings: ClassifySettings | undefined): ClassifyOptions {
  const patterns: PatternSet = structuredClone(DEFAULT_PATTERNS);
  if (!settings) return { patterns };
  const categories = new Set([...Object.keys(settings.names), ...Object.keys(settings.comments), ...Object.keys(settings.values)]);
  for (const category of categories) {
    const base = patterns[category] ?? { names: [], fits: NEW_CATEGORY_FITS };
    patterns[category] = {
      ...base,
      names: [...base.names, ...(settings.names[category] ?? []).map((name) => name.toLowerCase())],
      comments: [...(base.comments ?? []), ...(settings.comments[category] ?? [])],
      ...(settings.values[category] ? { values: settings.values[category] } : {}),
    };
  }
  return { patterns, personTableWords: settings.personTables.map((word) => word.toLowerCase()) };
}
