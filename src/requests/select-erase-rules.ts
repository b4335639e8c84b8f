import { LetheError } from '../errors.js';
import { selectRules } from '../plan/build-plan.js';
import type { HoldSettings, Rule, RuleSet } from '../rules/types.js';
import { eraseActionOf } from './erase-action.js';

export interface EraseSelection {
  /** The rules an erasure applies, each reduced to its one erasure phase. */
  applied: Rule[];
  /** Rules whose `request: skip` keeps the person's rows, with the reason the receipt prints. */
  skipped: { rule: Rule; reason: string | undefined }[];
  /** The kind of subject, as the receipt names it. */
  kind: string;
}

/**
 * The rules a request about people of one kind touches: every rule with a
 * subject of that kind (`--kind`, default: the default kind). Staff 42 and
 * customer 42 are different people: a rule of another kind is never touched.
 */
export function selectEraseRules(ruleSet: RuleSet, kind: string | undefined, only: string[] | undefined): EraseSelection {
  const holds = ruleSet.holds;
  const kinds = Object.keys(holds.kinds);
  const ruleKinds = new Set(ruleSet.rules.flatMap((rule) => (rule.subjectKind ? [rule.subjectKind] : [])));
  if (kind !== undefined && !kinds.includes(kind) && !ruleKinds.has(kind)) {
    throw new LetheError('USAGE', `--kind: no subjects of kind '${kind}' (lethe.yaml holds: ${kinds.length > 0 ? kinds.join(', ') : 'none'})`, {
      hint: 'name a kind of holds in lethe.yaml, or leave --kind out for the default kind; nothing was written',
    });
  }
  const chosen = selectRules(ruleSet.rules, only).filter((rule) => rule.subject && matchesKind(rule, kind, holds));
  const applied: Rule[] = [];
  const skipped: EraseSelection['skipped'] = [];
  for (const rule of chosen) {
    const action = eraseActionOf(rule);
    if (action.kind === 'skip') skipped.push({ rule, reason: action.reason });
    else applied.push({ ...rule, phases: [action.phase] });
  }
  return { applied, skipped, kind: kind ?? defaultKindName(holds) };
}

/** A rule without a kind belongs to the default kind (`holds.subjects`, or the only kind). */
export function matchesKind(rule: Rule, kind: string | undefined, holds: HoldSettings): boolean {
  const isDefault = (candidate: string | undefined) => candidate === undefined || (holds.subjects !== undefined && holds.kinds[candidate] === holds.subjects);
  if (kind === undefined) return isDefault(rule.subjectKind);
  if (rule.subjectKind === kind) return true;
  return rule.subjectKind === undefined && isDefault(kind);
}

export function defaultKindName(holds: HoldSettings): string {
  if (holds.kinds.subjects !== undefined) return 'subjects';
  const names = Object.keys(holds.kinds);
  const only = names.find((name) => holds.kinds[name] === holds.subjects);
  return only ?? 'default';
}
