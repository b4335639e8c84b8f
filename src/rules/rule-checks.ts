import type { Faker } from '@faker-js/faker';
import { fakeMethodNames, fakeModuleNames, hasFakeMethod, tryFakeWithoutArguments } from '../strategies/fake-strategy.js';
import { suggestClosest } from './did-you-mean.js';
import { checkCron, isValidTimezone } from './cron.js';
import { approximateMs } from './parse-duration.js';
import { checkFragment, type FragmentKind } from './parse-fragment.js';
import { checkSubjectKinds } from './subject-kind-checks.js';
import { checkRequests } from './request-checks.js';
import type { Rule, RuleProblem, Severity } from './types.js';
import { formatPath, locate, type KeyPath, type PositionedDocument } from './yaml-positions.js';

/** A normalized rule with what is needed to point back into its file. */
export interface LocatedRule {
  rule: Rule;
  positioned: PositionedDocument;
  index: number;
}

export interface CheckInput {
  rules: LocatedRule[];
  /** Loaded only when some rule uses `fake`, to check that its methods exist. */
  faker?: Faker | undefined;
  settings: { positioned: PositionedDocument; holdsSubjects: string | undefined; holdKinds?: Record<string, string>; timezone: string | undefined } | undefined;
  /** --rules named one file and no lethe.yaml stands beside it. */
  singleFileWithoutSettings?: boolean;
}

type Report = (severity: Severity, path: KeyPath, message: string, atKey?: boolean) => void;
type RuleCheck = (input: CheckInput, report: (check: string, positioned: PositionedDocument) => Report) => void;

/** Fixed-point strategies express "still needs work" in SQL; these cannot. */
const NEEDS_MARK = new Set(['fake', 'hash']);

const checkUniqueRuleIds: RuleCheck = ({ rules }, report) => {
  const seen = new Map<string, LocatedRule>();
  for (const located of rules) {
    const first = seen.get(located.rule.id);
    if (first) {
      const where = `${first.positioned.file}:${first.rule.source.line}`;
      report('duplicate-id', located.positioned)('error', ['rules', located.index, 'id'], `rule id '${located.rule.id}' is already used at ${where}`);
    } else {
      seen.set(located.rule.id, located);
    }
  }
};

const checkPhaseOrder: RuleCheck = ({ rules }, report) => {
  for (const { rule, positioned, index } of rules) {
    rule.phases.forEach((phase, position) => {
      // phase.index is the phase's place in the file (a rule read in part keeps its phases' places).
      const phaseIndex = phase.index;
      const previous = rule.phases[position - 1];
      const path = ['rules', index, 'phases', phaseIndex, 'after'];
      if (previous && approximateMs(phase.after) <= approximateMs(previous.after)) {
        report('phase-order', positioned)('error', path, `phases must have distinct, increasing 'after': ${phase.after.text} does not come after ${previous.after.text}`);
      }
      if (previous?.action === 'delete') {
        report('phase-after-delete', positioned)('error', ['rules', index, 'phases', phaseIndex], 'no phase can follow a delete phase: its rows are gone');
      }
    });
  }
};

const checkStrategiesFitActions: RuleCheck = ({ rules }, report) => {
  for (const { rule, positioned, index } of rules) {
    rule.phases.forEach((phase) => {
      const phaseIndex = phase.index;
      const at = (check: string, severity: Severity, suffix: KeyPath, message: string) =>
        report(check, positioned)(severity, ['rules', index, 'phases', phaseIndex, ...suffix], message);
      const hashes = phase.set.filter((change) => change.strategy.kind === 'hash');
      if (phase.action === 'delete' && phase.set.length > 0) at('delete-with-set', 'error', ['set'], "a delete phase takes no 'set'");
      if (phase.action === 'delete' && phase.mark) at('delete-with-mark', 'error', ['mark'], "a delete phase takes no 'mark'");
      if (phase.action !== 'delete' && phase.set.length === 0) at('missing-set', 'error', ['action'], `an ${phase.action} phase needs 'set' with at least one column`);
      if (phase.action === 'anonymize') {
        for (const change of hashes) {
          at('hash-in-anonymize', 'error', ['set', change.column], 'anonymize refuses hash: a keyed hash is reversible by whoever has the key; use pseudonymize');
        }
      }
      if (phase.action === 'pseudonymize') {
        for (const change of phase.set.filter((candidate) => candidate.strategy.kind === 'fake')) {
          at('fake-in-pseudonymize', 'error', ['set', change.column], 'fake belongs in anonymize phases: a pseudonymize phase keeps values linkable through its hash');
        }
      }
      if (phase.action === 'pseudonymize' && phase.set.length > 0 && hashes.length === 0) {
        at('pseudonymize-needs-hash', 'error', ['action'], 'pseudonymize needs at least one { hash: ENV_VAR } column; without one it is anonymize');
      }
      const unmarked = phase.set.find((change) => NEEDS_MARK.has(change.strategy.kind));
      if (unmarked && !phase.mark) {
        at('missing-mark', 'error', ['set', unmarked.column], `'${unmarked.strategy.kind}' is not a fixed point: the phase needs 'mark' (a timestamp column set when a row is done)`);
      }
      if (phase.mark && phase.set.some((change) => change.column === phase.mark)) {
        at('mark-in-set', 'error', ['mark'], `mark column '${phase.mark}' is also changed by 'set'`);
      }
      for (const change of phase.set) {
        if (rule.key?.includes(change.column)) at('key-in-set', 'error', ['set', change.column], `'${change.column}' is the rule's key and cannot be changed`);
      }
    });
  }
};

/**
 * A phase selects rows whose mark IS NULL and sets it: a second phase (of this
 * or another rule on the same table) with the same mark never selects a row
 * again. Each phase needs its own mark column.
 */
const checkSharedMarks: RuleCheck = ({ rules }, report) => {
  const first = new Map<string, { rule: Rule; phaseIndex: number; file: string }>();
  for (const { rule, positioned, index } of rules) {
    rule.phases.forEach((phase) => {
      const phaseIndex = phase.index;
      if (!phase.mark) return;
      const key = `${rule.table.schema ?? ''}.${rule.table.name}\u0000${phase.mark}`;
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, { rule, phaseIndex, file: positioned.file });
        return;
      }
      const where = earlier.rule === rule ? `phase ${earlier.phaseIndex + 1} of this rule` : `rule '${earlier.rule.id}' (${earlier.file}:${earlier.rule.source.line})`;
      report('shared-mark', positioned)(
        'error',
        ['rules', index, 'phases', phaseIndex, 'mark'],
        `mark column '${phase.mark}' is already the mark of ${where}: once that phase marks a row, this one never selects it; give each phase its own mark column`,
      );
    });
  }
};

const checkFakeMethodsExist: RuleCheck = ({ rules, faker }, report) => {
  if (!faker) return;
  for (const { rule, positioned, index } of rules) {
    rule.phases.forEach((phase) => {
      const phaseIndex = phase.index;
      for (const change of phase.set) {
        if (change.strategy.kind !== 'fake') continue;
        const path = ['rules', index, 'phases', phaseIndex, 'set', change.column, 'fake'];
        const { module, method } = change.strategy;
        if (!hasFakeMethod(faker, module, method)) {
          const suggestion = suggestFakeMethod(faker, module, method);
          report('unknown-fake', positioned)('error', path, `faker has no ${module}.${method}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
          continue;
        }
        const problem = tryFakeWithoutArguments(faker, module, method);
        if (problem) report('fake-needs-arguments', positioned)('error', path, `${problem}; choose a method that takes none, e.g. person.firstName`);
      }
    });
  }
};

/** `internet.userName` (renamed in faker 10) -> internet.username; a module typo -> the closest module's method. */
function suggestFakeMethod(faker: Faker, module: string, method: string): string | undefined {
  const modules = fakeModuleNames(faker);
  const closestModule = modules.includes(module) ? module : suggestClosest(module, modules);
  if (!closestModule) return undefined;
  const closestMethod = suggestClosest(method, fakeMethodNames(faker, closestModule));
  return closestMethod ? `${closestModule}.${closestMethod}` : undefined;
}

const checkSchedules: RuleCheck = ({ rules, settings }, report) => {
  for (const { rule, positioned, index } of rules) {
    if (rule.schedule !== undefined) {
      const problem = checkCron(rule.schedule);
      if (problem) report('bad-cron', positioned)('error', ['rules', index, 'schedule'], problem);
    }
    if (!isValidTimezone(rule.timezone) && rule.timezone !== settings?.timezone) {
      report('bad-timezone', positioned)('error', ['rules', index, 'timezone'], `unknown timezone '${rule.timezone}'; expected an IANA name like Asia/Shanghai`);
    }
  }
  if (settings?.timezone !== undefined && !isValidTimezone(settings.timezone)) {
    report('bad-timezone', settings.positioned)('error', ['defaults', 'timezone'], `unknown timezone '${settings.timezone}'; expected an IANA name like Asia/Shanghai`);
  }
};

const FRAGMENT_KINDS = { subject: 'value', clock: 'value', join: 'join', where: 'predicate', hold: 'predicate' } as const;

/** Every fragment parsed by PostgreSQL's parser as exactly the node its key allows (see parse-fragment.ts). */
const checkSqlFragments: RuleCheck = ({ rules, settings }, report) => {
  for (const { rule, positioned, index } of rules) {
    for (const [key, kind] of Object.entries(FRAGMENT_KINDS) as [keyof typeof FRAGMENT_KINDS, FragmentKind][]) {
      const text = rule[key];
      const problem = text === undefined ? undefined : checkFragment(kind, text, rule.table);
      if (problem) report(problem.check, positioned)('error', ['rules', index, key], problem.message);
    }
  }
  const problem = settings?.holdsSubjects ? checkFragment('query', settings.holdsSubjects) : undefined;
  if (problem && settings) report(problem.check, settings.positioned)('error', ['holds', 'subjects'], problem.message);
};

const checkHoldsReachRules: RuleCheck = ({ rules, settings }, report) => {
  if (!settings?.holdsSubjects && Object.keys(settings?.holdKinds ?? {}).length === 0) return;
  for (const { rule, positioned, index } of rules) {
    if (!rule.subject) {
      report('no-subject', positioned)('warning', ['rules', index, 'id'], "no 'subject': the legal holds in lethe.yaml cannot protect this rule's rows");
    }
  }
};

/** A rule with a subject relies on holds: reading one file must not silently drop the holds of its folder. */
const checkSettingsBesideFile: RuleCheck = ({ rules, singleFileWithoutSettings }, report) => {
  if (!singleFileWithoutSettings) return;
  for (const { rule, positioned, index } of rules) {
    if (rule.subject) {
      report('settings-missing', positioned)('error', ['rules', index, 'subject'], "relies on holds, but no lethe.yaml stands beside this file; put the settings file (holds) next to it or pass --rules the folder");
    }
  }
};

const checkCascadeNeedsDelete: RuleCheck = ({ rules }, report) => {
  for (const { rule, positioned, index } of rules) {
    if (rule.cascade.length > 0 && !rule.phases.some((phase) => phase.action === 'delete')) {
      report('cascade-without-delete', positioned)('warning', ['rules', index, 'cascade'], "'cascade' has no effect: the rule has no delete phase");
    }
  }
};

/** `after:` names rules of the rule set, other than the rule itself. */
const checkAfterIds: RuleCheck = ({ rules }, report) => {
  const ids = rules.map((located) => located.rule.id);
  for (const { rule, positioned, index } of rules) {
    rule.after.forEach((id, position) => {
      const path = ['rules', index, 'after', position];
      if (id === rule.id) report('after-self', positioned)('error', path, 'a rule cannot run after itself');
      else if (!ids.includes(id)) {
        const close = suggestClosest(id, ids);
        report('unknown-after', positioned)('error', path, `no rule with id '${id}'${close ? `; did you mean '${close}'?` : ''}`);
      }
    });
  }
};
const checkKindsOfSubject: RuleCheck = ({ rules, settings }, report) =>
  checkSubjectKinds(rules, settings && { positioned: settings.positioned, holdKinds: settings.holdKinds ?? {} }, report);

const checkRequestSettings: RuleCheck = ({ rules }, report) => checkRequests(rules, report);

export const RULE_CHECKS: readonly RuleCheck[] = [
  checkUniqueRuleIds,
  checkPhaseOrder,
  checkStrategiesFitActions,
  checkSharedMarks,
  checkFakeMethodsExist,
  checkSchedules,
  checkSqlFragments,
  checkHoldsReachRules,
  checkCascadeNeedsDelete,
  checkAfterIds,
  checkKindsOfSubject,
  checkSettingsBesideFile,
  checkRequestSettings,
];

/** Runs every named check and collects all problems; none throws. */
export function runRuleChecks(input: CheckInput): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const report = (check: string, positioned: PositionedDocument): Report => (severity, path, message, atKey = false) => {
    problems.push({ severity, check, file: positioned.file, ...locate(positioned, path, atKey), path: formatPath(path), message });
  };
  for (const check of RULE_CHECKS) check(input, report);
  return problems;
}
