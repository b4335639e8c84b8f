import type { z } from 'zod';
import { suggestClosest } from './did-you-mean.js';
import {
  schemaForCascadeEntry,
  schemaForStrategy,
  STRATEGY_NAMES,
  writtenRule,
  writtenRuleFileShell,
  writtenSettings,
  type WrittenRuleFile,
  type WrittenSettings,
} from './rule-schema.js';
import type { RuleProblem } from './types.js';
import { formatPath, locate, parsePositioned, type KeyPath, type PositionedDocument } from './yaml-positions.js';

export type ParsedFile =
  | {
      kind: 'rules';
      positioned: PositionedDocument;
      written: WrittenRuleFile | undefined;
      /** Where each valid rule stands in the file's `rules` list (invalid ones are left out). */
      indexes?: number[];
      problems: RuleProblem[];
    }
  | { kind: 'settings'; positioned: PositionedDocument; written: WrittenSettings | undefined; problems: RuleProblem[] };

/** YAML text -> written form, with every problem located by file, line, column and key path. */
export function parseRuleFile(file: string, text: string, isSettings: boolean): ParsedFile {
  const positioned = parsePositioned(file, text);
  const problems: RuleProblem[] = positioned.doc.errors.map((error) => ({
    severity: 'error',
    check: 'yaml-syntax',
    file,
    line: positioned.lineCounter.linePos(error.pos[0]).line,
    column: positioned.lineCounter.linePos(error.pos[0]).col,
    path: '(file)',
    message: `invalid YAML: ${error.message.split('\n')[0]}`,
  }));
  if (problems.length > 0) return { kind: isSettings ? 'settings' : 'rules', positioned, written: undefined, problems } as ParsedFile;

  const value = positioned.doc.toJS() ?? (isSettings ? {} : undefined);
  if (value === undefined || value === null) {
    problems.push({ severity: 'error', check: 'empty-file', file, line: 1, column: 1, path: '(file)', message: 'the file is empty; expected category and rules' });
    return { kind: 'rules', positioned, written: undefined, problems };
  }
  if (isSettings) {
    const result = writtenSettings.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) problems.push(...describeIssue(positioned, value, issue));
    return { kind: 'settings', positioned, written: result.success ? result.data : undefined, problems };
  }
  return parseRules(positioned, value, problems);
}

/** Checks the file's shell, then each rule on its own, so one bad rule does not hide the others' problems. */
function parseRules(positioned: PositionedDocument, value: unknown, problems: RuleProblem[]): ParsedFile {
  const shell = writtenRuleFileShell.safeParse(value);
  if (!shell.success) {
    for (const issue of shell.error.issues) problems.push(...describeIssue(positioned, value, issue));
    return { kind: 'rules', positioned, written: undefined, problems };
  }
  const rules: WrittenRuleFile['rules'] = [];
  const indexes: number[] = [];
  shell.data.rules.forEach((rule, index) => {
    const result = writtenRule.safeParse(rule);
    if (result.success) {
      rules.push(result.data);
      indexes.push(index);
    } else {
      for (const issue of result.error.issues) {
        problems.push(...describeIssue(positioned, value, { ...issue, path: ['rules', index, ...issue.path] } as Issue));
      }
    }
  });
  return { kind: 'rules', positioned, written: { category: shell.data.category, description: shell.data.description, rules }, indexes, problems };
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
    return issue.keys.map((key) => {
      const suggestion = suggestClosest(key, known);
      return at([...path, key], 'unknown-key', `unknown key '${key}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`, true);
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
  if (issue.code === 'invalid_union' && path[path.length - 1] === 'after') return [at(path, 'invalid-format', `expected a duration like 0, 45m, 36h, 30d, 2w, 6mo or 1y, got ${describeValue(value)}`)];
  if (issue.code === 'invalid_key') {
    const inner = (issue as { issues?: { message: string }[] }).issues?.[0]?.message ?? issue.message;
    return [at(path, 'invalid-format', inner, true)];
  }
  if (issue.code === 'invalid_type' && value === undefined) {
    const key = path[path.length - 1];
    return [at(path.slice(0, -1), 'missing-key', `missing required key '${String(key)}'`)];
  }
  if (issue.code === 'invalid_type') {
    return [at(path, 'wrong-type', `expected ${issue.expected}, got ${describeValue(value)}`)];
  }
  return [at(path, checkNameFor(issue.code), issue.message)];
}

/** An entry of a cascade tree, at any depth: ['rules', 0, 'cascade', 1, 'rental', 0]. */
function isCascadeEntry(path: KeyPath): boolean {
  return path[2] === 'cascade' && typeof path[path.length - 1] === 'number';
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
  settings: ['holds', 'defaults'],
  rule: ['id', 'description', 'table', 'key', 'subject', 'clock', 'join', 'where', 'hold', 'schedule', 'timezone', 'cascade', 'batch', 'phases'],
  phase: ['after', 'action', 'set', 'mark'],
  batch: ['target', 'maxRows'],
  mask: ['keepStart', 'keepEnd', 'char'],
  cascade: ['table', 'subject', 'cascade'],
  subject: ['column', 'kind'],
  defaults: ['batch', 'timezone'],
  json: ['remove'],
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
