import type { Knex } from 'knex';
import { checkRulesAgainstCatalog } from '../catalog/check-rules-against-catalog.js';
import { probeRules } from '../catalog/probe-rules.js';
import { checkRuleOrder } from './check-rule-order.js';
import { readCatalog } from '../catalog/read-catalog.js';
import type { Catalog } from '../catalog/types.js';
import { withReadOnlySnapshot, type SqlClient } from '../db/sql-client.js';
import type { CascadeNode, RuleProblem, RuleSet, TableName } from '../rules/types.js';
import { readFragmentReferences } from '../rules/parse-fragment.js';

export interface CheckResult {
  problems: RuleProblem[];
  catalog: Catalog;
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
export async function checkRulesWith(client: SqlClient, ruleSet: RuleSet, now: Date): Promise<CheckResult> {
  {
    const catalog = await readCatalog(client, tablesOf(ruleSet));
    const problems = checkRulesAgainstCatalog(ruleSet, catalog);
    const failing = new Set(problems.filter((problem) => problem.severity === 'error').map((problem) => problem.file + '\0' + problem.path.split('.')[0]));
    const broken = new Set(ruleSet.rules.filter((rule) => failing.has(rule.source.file + '\0' + rule.source.locate([]).path)));
    problems.push(...(await probeRules(client, ruleSet, catalog, now, broken)));
    problems.push(...(await checkRuleOrder(ruleSet, catalog)));
    problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    return { problems, catalog };
  }
}
