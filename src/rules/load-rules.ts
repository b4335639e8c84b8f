import { LetheError } from '../errors.js';
import { readRuleFiles, type FileAccess, nodeFileAccess, type RuleFileText } from './read-rule-files.js';
import type { RuleProblem, RuleSet } from './types.js';
import { loadFragmentParser } from './parse-fragment.js';

export interface LoadedRules {
  /** Undefined when any error was found; warnings alone leave it usable. */
  ruleSet: RuleSet | undefined;
  problems: RuleProblem[];
}

/** Reads, parses, normalizes and checks every rule file; collects all problems of all files. */
export async function loadRules(target: string, files: FileAccess = nodeFileAccess): Promise<LoadedRules> {
  // The parser's WebAssembly compiles in the background while the files are read.
  loadFragmentParser().catch(() => undefined);
  const texts = await readRuleFiles(target, files);
  return parseRuleTexts(texts, { singleFile: !(await files.isDirectory(target)) });
}

export async function parseRuleTexts(texts: RuleFileText[], options: { singleFile?: boolean } = {}): Promise<LoadedRules> {
  const { parseRuleTexts: parse } = await import('./parse-rule-texts.js');
  return parse(texts, options);
}

export function formatProblem(problem: RuleProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.path}: ${problem.severity === 'warning' ? 'warning: ' : ''}${problem.message}`;
}

/** For commands that need usable rules: throws one RULES_INVALID listing every problem. */
export async function loadRulesOrThrow(target: string, options: { strict?: boolean; files?: FileAccess } = {}): Promise<{ ruleSet: RuleSet; warnings: RuleProblem[] }> {
  const { ruleSet, problems } = await loadRules(target, options.files);
  const blocking = problems.filter((problem) => problem.severity === 'error' || options.strict);
  if (!ruleSet || blocking.length > 0) {
    throw new LetheError('RULES_INVALID', `${blocking.length} problem${blocking.length === 1 ? '' : 's'} in the rules at ${target}`, {
      details: blocking.map(formatProblem),
      hint: 'fix the rule files; `lethe validate` lists the same problems',
    });
  }
  return { ruleSet, warnings: problems.filter((problem) => problem.severity === 'warning') };
}
