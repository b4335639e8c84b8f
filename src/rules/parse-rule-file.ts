import type { z } from 'zod';
import { suggestClosest } from './did-you-mean.js';
import { explainBadDuration } from './duration-hints.js';
import {
  schemaForCascadeEntry,
  schemaForStrategy,
  exportOmitSchema,
  STRATEGY_NAMES,
  writtenRule,
  writtenRuleFileShell,
  writtenSettings,
  type WrittenRuleFile,
  type WrittenSettings,
} from './rule-schema.js';
import type { RuleProblem } from './types.js';
import { RULE_FILE_LIMITS } from './rule-file-limits.js';
import { findFlowDepthOver, findNodeDepthOver, formatPath, locate, parsePositioned, type KeyPath, type PositionedDocument } from './yaml-positions.js';

export type ParsedFile =
  | {
      kind: 'rules';
      positioned: PositionedDocument;
      written: WrittenRuleFile | undefined;
      /** Where each valid rule stands in the file's `rules` list (invalid ones are left out). */
      indexes?: number[];
      /** For a rule read in part (some phases invalid): where each of its remaining phases stands. */
      phaseIndexes?: (number[] | undefined)[];
      problems: RuleProblem[];
    }
  | { kind: 'settings'; positioned: PositionedDocument; written: WrittenSettings | undefined; problems: RuleProblem[] };

/** YAML text -> written form, with every problem located by file, line, column and key path. */
export function parseRuleFile(file: string, text: string, isSettings: boolean, rulesBefore = 0): ParsedFile & { ruleCount: number } {
  const kind = isSettings ? 'settings' : 'rules';
  const refuse = (check: string, line: number, column: number, message: string) =>
    ({ kind, positioned: parsePositioned(file, ''), written: undefined, ruleCount: 0, problems: [{ severity: 'error', check, file, line, column, path: '(file)', message }] }) as ParsedFile & { ruleCount: number };
  const tooDeep = `nesting deeper than ${RULE_FILE_LIMITS.depth} levels; rule files need about 8`;
  const flowDepth = findFlowDepthOver(text, RULE_FILE_LIMITS.depth);
  if (flowDepth !== undefined) return refuse('too-deep', ...lineAndColumn(text, flowDepth), tooDeep);
  let positioned: PositionedDocument;
  try {
    positioned = parsePositioned(file, text);
  } catch (error) {
    if (error instanceof RangeError) return refuse('too-deep', 1, 1, tooDeep);
    throw error;
  }
  const problems: RuleProblem[] = positioned.doc.errors.map((error) => ({
    severity: 'error',
    check: 'yaml-syntax',
    file,
    line: positioned.lineCounter.linePos(error.pos[0]).line,
    column: positioned.lineCounter.linePos(error.pos[0]).col,
    path: '(file)',
    message: `invalid YAML: ${error.message.split('\n')[0]}`,
  }));
  if (problems.length > 0) return { kind, positioned, written: undefined, problems, ruleCount: 0 } as ParsedFile & { ruleCount: number };
  const nodeDepth = findNodeDepthOver(positioned, RULE_FILE_LIMITS.depth);
  if (nodeDepth !== undefined) return refuse('too-deep', ...lineAndColumn(text, nodeDepth), tooDeep);

  let value: unknown;
  try {
    value = positioned.doc.toJS({ maxAliasCount: RULE_FILE_LIMITS.aliases }) ?? (isSettings ? {} : undefined);
  } catch (error) {
    if (!/alias/i.test((error as Error)?.message ?? '')) throw error;
    return refuse('too-many-aliases', 1, 1, `YAML aliases expand more than ${RULE_FILE_LIMITS.aliases} times (a "billion laughs" document?); write the rules out`);
  }
  if (value === undefined || value === null) {
    problems.push({ severity: 'error', check: 'empty-file', file, line: 1, column: 1, path: '(file)', message: 'the file is empty; expected category and rules' });
    return { kind: 'rules', positioned, written: undefined, problems, ruleCount: 0 };
  }
  if (isSettings) {
    const result = writtenSettings.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) problems.push(...describeIssue(positioned, value, issue));
    return { kind: 'settings', positioned, written: result.success ? result.data : undefined, problems, ruleCount: 0 };
  }
  const listed = (value as { rules?: unknown }).rules;
  const ruleCount = Array.isArray(listed) ? listed.length : 0;
  if (rulesBefore + ruleCount > RULE_FILE_LIMITS.rules) {
    const at = locate(positioned, ['rules']);
    const total = rulesBefore > 0 ? ` (${rulesBefore + ruleCount} with the files before it)` : '';
    problems.push({ severity: 'error', check: 'too-many-rules', file, ...at, path: 'rules', message: `${ruleCount} rules${total}; all rule files together are limited to ${RULE_FILE_LIMITS.rules} rules` });
    return { kind: 'rules', positioned, written: undefined, problems, ruleCount };
  }
  return { ...parseRules(positioned, value, problems), ruleCount };
}

function lineAndColumn(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return [before.split('\n').length, offset - lineStart + 1];
}

/**
 * Checks the file's shell, then each rule on its own, so neither a bad
 * category nor one bad rule hides the other problems of the file.
 */
function parseRules(positioned: PositionedDocument, value: unknown, problems: RuleProblem[]): ParsedFile {
  const shell = writtenRuleFileShell.safeParse(value);
  if (!shell.success) for (const issue of shell.error.issues) problems.push(...describeIssue(positioned, value, issue));
  const listed = (value as { rules?: unknown }).rules;
  const rules: WrittenRuleFile['rules'] = [];
  const indexes: number[] = [];
  const phaseIndexes: (number[] | undefined)[] = [];
  (Array.isArray(listed) ? listed : []).forEach((rule, index) => {
    const result = writtenRule.safeParse(rule);
    if (result.success) {
      rules.push(result.data);
      indexes.push(index);
      phaseIndexes.push(undefined);
      return;
    }
    for (const issue of result.error.issues) {
      problems.push(...describeIssue(positioned, value, { ...issue, path: ['rules', index, ...issue.path] } as Issue));
    }
    const partial = readValidPhases(rule, result.error.issues);
    if (partial) {
      rules.push(partial.rule);
      indexes.push(index);
      phaseIndexes.push(partial.phaseIndexes);
    }
  });
  // With a bad shell the rules still go through the rule checks (their problems are reported too);
  // the shell's own errors keep the rule set from being used.
  const category = shell.success ? shell.data.category : String((value as { category?: unknown }).category ?? '');
  return { kind: 'rules', positioned, written: { category, description: shell.data?.description, rules }, indexes, phaseIndexes, problems };
}

/**
 * A rule whose only problems lie inside some of its phases is still read
 * without them, so the rule checks (ids, fragments, schedules, the other
 * phases' strategies and fakes) report in the same pass. Its file has errors,
 * so no rule set is made from it.
 */
function readValidPhases(rule: unknown, issues: Issue[]): { rule: WrittenRuleFile['rules'][number]; phaseIndexes: number[] } | undefined {
  if (!issues.every((issue) => issue.path[0] === 'phases' && typeof issue.path[1] === 'number')) return undefined;
  const failing = new Set(issues.map((issue) => issue.path[1] as number));
  const phases = (rule as { phases: unknown[] }).phases;
  const phaseIndexes = phases.map((_, index) => index).filter((index) => !failing.has(index));
  const result = writtenRule.safeParse({ ...(rule as object), phases: phaseIndexes.map((index) => phases[index]) });
  return result.success ? { rule: result.data, phaseIndexes } : undefined;
}

type Issue = z.core.$ZodIssue;

function describeIssue(positioned: PositionedDocument, root: unknown, issue: Issue): RuleProblem[] {
  const path = issue.path as KeyPath;
  const at = (where: KeyPath, check: string, message: string, atKey = false): RuleProblem => ({
    severity: 'error',
    check,
    file: positioned.file,
    ...locate(positioned, where, atKey),
    path: formatPath(where),
    message,
  });
  const value = valueAt(root, path);

  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(root, path);
    const parent = valueAt(root, path) as Record<string, unknown>;
    return issue.keys.map((key) => {
      const suggestion = suggestClosest(key, known);
      const value = parent[key];
      // `acton: delet` -> did you mean 'action: delete'? (the value is checked as the key it was meant to be)
      const meantValue = suggestion === 'action' && typeof value === 'string' && !ACTIONS.includes(value) ? suggestClosest(value, ACTIONS) : undefined;
      const meant = meantValue ? `${suggestion}: ${meantValue}` : suggestion;
      return at([...path, key], 'unknown-key', `unknown key '${key}'${meant ? ` (did you mean '${meant}'?)` : ''}`, true);
    });
  }
  if (issue.code === 'invalid_union' && isStrategyPath(path)) {
    const strategySchema = schemaForStrategy(value);
    if (!strategySchema) {
      return [at(path, 'unknown-strategy', `unknown strategy; expected null or an object with one of: ${STRATEGY_NAMES.join(', ')}`)];
    }
    const nested = strategySchema.safeParse(value);
    if (!nested.success) {
      return nested.error.issues.flatMap((inner) => describeIssue(positioned, root, { ...inner, path: [...path, ...inner.path] } as Issue));
    }
  }
  if (issue.code === 'invalid_union' && (path[path.length - 1] === 'subject' || isCascadeEntry(path))) {
    const chosen = schemaForCascadeEntry(value, path[path.length - 1] === 'subject');
    if (!chosen.schema) return [at(path, 'wrong-type', chosen.expected)];
    const nested = chosen.schema.safeParse(value);
    if (!nested.success) return nested.error.issues.flatMap((inner) => describeIssue(positioned, root, { ...inner, path: [...path, ...inner.path] } as Issue));
  }
  if (issue.code === 'invalid_union' && path[path.length - 1] === 'export' && path[0] === 'rules') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [at(path, 'wrong-type', 'expected true, false or { omit: [columns] }')];
    const nested = exportOmitSchema.safeParse(value);
    if (!nested.success) return nested.error.issues.flatMap((inner) => describeIssue(positioned, root, { ...inner, path: [...path, ...inner.path] } as Issue));
  }
  if (path[path.length - 1] === 'after' && path[path.length - 3] === 'phases' && value !== undefined) return [at(path, 'invalid-format', explainBadDuration(value))];
  if (issue.code === 'invalid_key') {
    const inner = (issue as { issues?: { message: string }[] }).issues?.[0]?.message ?? issue.message;
    return [at(path, 'invalid-format', inner, true)];
  }
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value') && !isPresent(root, path)) {
    const key = path[path.length - 1];
    return [at(path.slice(0, -1), 'missing-key', `missing required key '${String(key)}'`)];
  }
  if (issue.code === 'invalid_type') {
    return [at(path, 'wrong-type', `expected ${issue.expected}, got ${describeValue(value)}`)];
  }
  if (issue.code === 'invalid_value' && typeof value === 'string') {
    const suggestion = suggestClosest(value, issue.values.map(String));
    return [at(path, 'invalid-value', `'${value}' is not one of ${issue.values.map(String).join(', ')}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`)];
  }
  return [at(path, checkNameFor(issue.code), issue.message)];
}

/** An entry of a cascade tree, at any depth: ['rules', 0, 'cascade', 1, 'rental', 0]. */
function isCascadeEntry(path: KeyPath): boolean {
  return path[2] === 'cascade' && typeof path[path.length - 1] === 'number';
}

const ACTIONS = ['delete', 'anonymize', 'pseudonymize'];

function isPresent(root: unknown, path: KeyPath): boolean {
  const parent = valueAt(root, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && (path[path.length - 1] as string) in parent;
}

/**
 * `acton: delete` is reported once, as an unknown key with its suggestion: the
 * "missing required key 'action'" it causes says nothing more.
 */
export function dropMissingKeysExplainedByTypos(problems: RuleProblem[]): RuleProblem[] {
  return problems.filter((problem) => {
    if (problem.check !== 'missing-key') return true;
    const key = /missing required key '([^']+)'/.exec(problem.message)?.[1];
    const prefix = problem.path === '(file)' ? '' : `${problem.path}.`;
    return !problems.some(
      (other) => other.check === 'unknown-key' && other.file === problem.file && other.path.startsWith(prefix) && !other.path.slice(prefix.length).includes('.') && other.message.includes(`did you mean '${key}`),
    );
  });
}

function checkNameFor(code: string): string {
  return code === 'invalid_format' ? 'invalid-format' : code.replace(/_/g, '-');
}

function isStrategyPath(path: KeyPath): boolean {
  return path.length >= 2 && path[path.length - 2] === 'set';
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

const KNOWN_KEYS: Record<string, string[]> = {
  file: ['category', 'description', 'rules'],
  settings: ['holds', 'defaults', 'classify', 'coverage'],
  rule: ['id', 'description', 'table', 'key', 'subject', 'clock', 'join', 'where', 'hold', 'schedule', 'timezone', 'cascade', 'after', 'partitions', 'batch', 'guard', 'export', 'keep', 'phases'],
  phase: ['after', 'action', 'set', 'mark'],
  batch: ['target', 'maxRows'],
  mask: ['keepStart', 'keepEnd', 'char'],
  cascade: ['table', 'subject', 'cascade'],
  subject: ['column', 'kind'],
  defaults: ['batch', 'timezone'],
  json: ['remove'],
  export: ['omit'],
  strategy: ['value', 'fake', 'generalize', 'bits', 'to', 'step', 'mask', 'json', 'hash'],
};

function knownKeysAt(root: unknown, path: KeyPath): string[] {
  const last = path[path.length - 1];
  const beforeLast = path[path.length - 2];
  if (path.length === 0) return root && typeof root === 'object' && 'rules' in root ? KNOWN_KEYS.file! : [...KNOWN_KEYS.file!, ...KNOWN_KEYS.settings!];
  if (beforeLast === 'rules') return KNOWN_KEYS.rule!;
  if (beforeLast === 'phases') return KNOWN_KEYS.phase!;
  if (beforeLast === 'set') return KNOWN_KEYS.strategy!;
  if (beforeLast === 'cascade') return KNOWN_KEYS.cascade!;
  if (typeof last === 'string' && KNOWN_KEYS[last]) return KNOWN_KEYS[last]!;
  return [];
}
