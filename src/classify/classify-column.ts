import { DEFAULT_PATTERNS, PERSON_TABLE_WORDS, QUALIFIER_WORDS, type CategoryPattern, type PatternSet } from './patterns.js';
import { matchPhrase, tokenizeName } from './tokenize-name.js';
import type { Classification, ColumnFacts, SampleCounts } from './types.js';

export interface ClassifyOptions {
  patterns?: PatternSet;
  /** Extra words of table names that hold people. */
  personTableWords?: string[];
  /** A category whose pattern matched at least this share of the sampled non-null values counts (default 0.5). */
  sampleShare?: number;
}

/**
 * Pure: a category guess for one column with its evidence, from its name, comment and type
 * (and, when given, how many sampled values matched each category's pattern), or undefined.
 */
export function classifyColumn(column: ColumnFacts, options: ClassifyOptions = {}, sample?: SampleCounts): Classification | undefined {
  const patterns = options.patterns ?? DEFAULT_PATTERNS;
  const words = tokenizeName(column.column);
  const inPersonTable = isPersonTable(column.table, options.personTableWords);
  const qualified = words.length > 1 && QUALIFIER_WORDS.includes(words[words.length - 1]!);
  let best: { category: string; weight: number; evidence: string[] } | undefined;
  for (const [category, pattern] of Object.entries(patterns)) {
    const evidence: string[] = [];
    let weight = 0;
    if (pattern.types?.includes(column.baseType)) {
      evidence.push(`type ${column.baseType}`);
      weight = 10;
    }
    if (fits(pattern, column) && !qualified) {
      const phrase = longestPhrase(words, [...pattern.names, ...(inPersonTable ? (pattern.namesInPersonTables ?? []) : [])]);
      if (phrase > 0) {
        evidence.push(`name '${column.column}'`);
        weight = Math.max(weight, phrase);
      }
      const said = pattern.comments?.find((word) => mentions(column.comment, word));
      if (said) {
        evidence.push(`comment mentions '${said}'`);
        weight = Math.max(weight, 1);
      }
    }
    const matched = sample?.matches[category] ?? 0;
    if (sample && sample.sampled > 0 && matched > 0) {
      const share = matched / sample.sampled;
      if (weight > 0 || share >= (options.sampleShare ?? 0.5)) {
        evidence.push(`sample: ${matched} of ${sample.sampled} values look like ${category}`);
        weight = Math.max(weight, 1);
      }
    }
    if (weight > (best?.weight ?? 0)) best = { category, weight, evidence };
  }
  return best && { table: column.table, column: column.column, category: best.category, evidence: best.evidence };
}

/** A table whose name says it holds people: users, customer, members. */
export function isPersonTable(table: string, extraWords: string[] = []): boolean {
  const words = tokenizeName(table.split('.').pop()!);
  return words.some((word) => PERSON_TABLE_WORDS.includes(word) || extraWords.includes(word));
}

function fits(pattern: CategoryPattern, column: ColumnFacts): boolean {
  return pattern.fits.some((fit) => fit === column.category || fit === column.baseType);
}

function longestPhrase(words: string[], phrases: string[]): number {
  return phrases.reduce((longest, phrase) => Math.max(longest, matchPhrase(words, phrase)), 0);
}

/** ASCII words match as whole words; other scripts (手机) as text. */
function mentions(comment: string | undefined, word: string): boolean {
  if (!comment) return false;
  if (!/^[\x20-\x7e]+$/.test(word)) return comment.includes(word);
  return new RegExp(`(^|[^a-z0-9])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z0-9])`, 'i').test(comment);
}
