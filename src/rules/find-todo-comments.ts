import type { RuleProblem } from './types.js';

/**
 * `# TODO` comments left in rule files (`lethe init` writes one wherever a person must
 * decide, e.g. every placeholder duration): a warning each, so `check --strict` and
 * `validate --strict` refuse a draft until every decision is made.
 */
export function findTodoComments(file: string, text: string): RuleProblem[] {
  const problems: RuleProblem[] = [];
  text.split('\n').forEach((line, index) => {
    // A full-line comment, or a trailing one after a space; not one inside a quoted value.
    const match = /(?:^\s*|\s)#\s*(TODO\b.*)$/.exec(line);
    if (!match || isInsideQuotes(line, match.index)) return;
    problems.push({
      severity: 'warning',
      check: 'todo',
      file,
      line: index + 1,
      column: line.indexOf('#', match.index) + 1,
      path: '(file)',
      message: `a decision is still open: ${match[1]!.trim().slice(0, 160)}`,
    });
  });
  return problems;
}

/** Is the text before `at` inside an open single or double quote? */
function isInsideQuotes(line: string, at: number): boolean {
  let quote: string | undefined;
  for (const char of line.slice(0, at)) {
    if (quote === undefined && (char === '"' || char === "'")) quote = char;
    else if (char === quote) quote = undefined;
  }
  return quote !== undefined;
}
