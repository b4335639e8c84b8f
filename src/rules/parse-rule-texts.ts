import { normalizeDefaults, normalizeRule } from './normalize-rules.js';
import { dropMissingKeysExplainedByTypos, parseRuleFile } from './parse-rule-file.js';
import type { RuleFileText } from './read-rule-files.js';
import { runRuleChecks, type LocatedRule } from './rule-checks.js';
import type { WrittenSettings } from './rule-schema.js';
import { normalizeHolds, type ClassifySettings, type RuleProblem } from './types.js';
import { formatPath, locate, type PositionedDocument } from './yaml-positions.js';
import { findTodoComments } from './find-todo-comments.js';
import { loadFaker } from '../strategies/fake-strategy.js';
import { loadFragmentParser } from './parse-fragment.js';
import type { LoadedRules } from './load-rules.js';

/**
 * Parses, normalizes and checks rule file texts; collects all problems of all files.
 * Loaded by load-rules.ts on first use: it brings the YAML parser, the schema library and the
 * cron parser, which commands that read no rules (`--help`) never load.
 */
export async function parseRuleTexts(texts: RuleFileText[], options: { singleFile?: boolean } = {}): Promise<LoadedRules> {
  await loadFragmentParser();
  const problems: RuleProblem[] = [];
  let settings: { positioned: PositionedDocument; written: WrittenSettings } | undefined;
  const ruleFiles: ReturnType<typeof parseRuleFile>[] = [];
  let rulesBefore = 0;
  for (const { path, text, isSettings, refused } of texts) {
    if (refused) {
      problems.push({ severity: 'error', check: refused.check, file: path, line: 1, column: 1, path: '(file)', message: refused.message });
      continue;
    }
    const parsed = parseRuleFile(path, text, isSettings, rulesBefore);
    rulesBefore += parsed.ruleCount;
    problems.push(...parsed.problems, ...findTodoComments(path, text));
    if (parsed.kind === 'settings') {
      if (parsed.written) settings = { positioned: parsed.positioned, written: parsed.written };
    } else {
      ruleFiles.push(parsed);
    }
  }
  const defaults = normalizeDefaults(settings?.written);
  if (settings) problems.push(...checkClassifyValues(settings.positioned, settings.written.classify?.values));
  const located: LocatedRule[] = [];
  for (const parsed of ruleFiles) {
    if (parsed.kind !== 'rules' || !parsed.written) continue;
    const written = parsed.written;
    written.rules.forEach((rule, position) => {
      const index = parsed.indexes?.[position] ?? position;
      located.push({ rule: normalizeRule(rule, written.category, parsed.positioned, index, defaults, parsed.phaseIndexes?.[position]), positioned: parsed.positioned, index });
    });
  }
  const usesFake = located.some(({ rule }) => rule.phases.some((phase) => phase.set.some((change) => change.strategy.kind === 'fake')));
  problems.push(
    ...runRuleChecks({
      rules: located,
      faker: usesFake ? await loadFaker() : undefined,
      settings: settings && {
        positioned: settings.positioned,
        holdsSubjects: settings.written.holds?.subjects,
        holdKinds: settings.written.holds ?? {},
        timezone: settings.written.defaults?.timezone,
      },
      singleFileWithoutSettings: options.singleFile === true && !texts.some((text) => text.isSettings),
    }),
  );
  problems.splice(0, problems.length, ...dropMissingKeysExplainedByTypos(problems));
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const hasErrors = problems.some((problem) => problem.severity === 'error');
  if (!hasErrors && located.length === 0) {
    problems.push({ severity: 'error', check: 'no-rules', file: texts[0]?.path ?? '', line: 1, column: 1, path: '(file)', message: 'no rules found: only settings files were read' });
    return { problems, ruleSet: undefined };
  }
  return {
    problems,
    ruleSet: hasErrors
      ? undefined
      : {
          rules: located.map(({ rule }) => rule),
          holds: normalizeHolds(settings?.written.holds),
          defaults,
          files: texts.map((text) => text.path),
          settingsFile: texts.find((text) => text.isSettings)?.path,
          classify: normalizeClassify(settings?.written.classify),
          coverage: { schemas: settings?.written.coverage?.schemas, ignore: settings?.written.coverage?.ignore ?? {} },
        },
  };
}

function normalizeClassify(written: WrittenSettings['classify']): ClassifySettings {
  return { names: written?.names ?? {}, comments: written?.comments ?? {}, values: written?.values ?? {}, personTables: written?.personTables ?? [] };
}

/** A value pattern must compile; PostgreSQL would reject most that JavaScript rejects, in the middle of a sample. */
function checkClassifyValues(positioned: PositionedDocument, values: Record<string, string> | undefined): RuleProblem[] {
  return Object.entries(values ?? {}).flatMap(([category, pattern]) => {
    try {
      new RegExp(pattern);
      return [];
    } catch (error) {
      const where = ['classify', 'values', category];
      return [{ severity: 'error' as const, check: 'invalid-format', file: positioned.file, ...locate(positioned, where), path: formatPath(where), message: `not a regular expression: ${(error as Error).message}` }];
    }
  });
}

