import type { Knex } from 'knex';
import { checkRulesAgainstCatalog } from '../catalog/check-rules-against-catalog.js';
import { probeRules } from '../catalog/probe-rules.js';
import { checkRuleOrder } from './check-rule-order.js';
import { readCatalog } from '../catalog/read-catalog.js';
import type { Catalog, ClockType } from '../catalog/types.js';
import { fingerprintRuleCheck } from './fingerprint-rule-check.js';
import { withReadOnlySnapshot, type SqlClient } from '../db/sql-client.js';
import type { CascadeNode, RuleProblem, RuleSet, TableName } from '../rules/types.js';
import { readFragmentReferences } from '../rules/parse-fragment.js';

export interface CheckResult {
  problems: RuleProblem[];
  catalog: Catalog;
  /** Rules EXPLAINed in this check without a problem, with their fingerprint and clock type (for checked_rules). */
  passed: PassedCheck[];
  /** Rules whose probes were skipped: unchanged since a run probed them (fingerprint-rule-check.ts). */
  skipped: string[];
}

/** A rule that passed its probes: what a later run compares before skipping them. */
export interface PassedCheck {
  ruleId: string;
  fingerprint: string;
  clockType: ClockType;
}

/** Every table a rule set names: targets, cascades and joined tables (their children are added by readCatalog). */
export function tablesOf(ruleSet: RuleSet) {
  const walk = (nodes: CascadeNode[]): TableName[] => nodes.flatMap((node) => [node.table, ...walk(node.children)]);
  return ruleSet.rules.flatMap((rule) => [rule.table, ...walk(rule.cascade), ...joinedTables(rule)]);
}

/** Joined tables, read so the fan-out check can see their unique keys. */
function joinedTables(rule: RuleSet['rules'][number]) {
  if (!rule.join) return [];
  try {
    return readFragmentReferences('join', rule.join).tables;
  } catch {
    return []; // a join that does not parse is reported by the fragment checks
  }
}

/**
 * Rules against the live schema, read-only: catalog checks first; rules that
 * pass them have every fragment and engine statement EXPLAINed.
 */
export async function checkRules(db: Knex, ruleSet: RuleSet, now: Date): Promise<CheckResult> {
  return withReadOnlySnapshot(db, (client) => checkRulesWith(client, ruleSet, now));
}

/** The same, inside a snapshot the caller already holds (plan checks, then counts, in one snapshot). */
export async function checkRulesWith(client: SqlClient, ruleSet: RuleSet, now: Date, known: Map<string, PassedCheck> = new Map()): Promise<CheckResult> {
  const catalog = await readCatalog(client, tablesOf(ruleSet));
  const problems = checkRulesAgainstCatalog(ruleSet, catalog);
  const failing = new Set(problems.filter((problem) => problem.severity === 'error').map((problem) => problem.file + '\0' + problem.path.split('.')[0]));
  const broken = new Set(ruleSet.rules.filter((rule) => failing.has(rule.source.file + '\0' + rule.source.locate([]).path)));
  // A rule that passed the catalog checks and is unchanged, on tables of the same shape, since a run
  // probed it without a problem is not EXPLAINed again; its clock type is the one found then.
  const fingerprints = new Map(ruleSet.rules.filter((rule) => !broken.has(rule) && known.size > 0).map((rule) => [rule.id, fingerprintRuleCheck(rule, ruleSet, catalog)]));
  const unchanged = new Set(ruleSet.rules.filter((rule) => fingerprints.has(rule.id) && known.get(rule.id)?.fingerprint === fingerprints.get(rule.id)));
  for (const rule of unchanged) (catalog.clockTypes ??= new Map()).set(rule.id, known.get(rule.id)!.clockType);
  const probing = { ...ruleSet, rules: ruleSet.rules.filter((rule) => !unchanged.has(rule)) };
  const probeProblems = await probeRules(client, probing, catalog, now, broken);
  problems.push(...probeProblems);
  problems.push(...(await checkRuleOrder(ruleSet, catalog)));
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  // Recorded only from a check without errors whose probes found nothing at all to say (not even a warning).
  const clean = probeProblems.length === 0 && !problems.some((problem) => problem.severity === 'error');
  const passed = (clean ? probing.rules.filter((rule) => !broken.has(rule)) : [])
    .map((rule) => ({ ruleId: rule.id, fingerprint: fingerprints.get(rule.id) ?? fingerprintRuleCheck(rule, ruleSet, catalog), clockType: catalog.clockTypes?.get(rule.id) ?? 'timestamptz' }));
  return { problems, catalog, passed, skipped: [...unchanged].map((rule) => rule.id) };
}
