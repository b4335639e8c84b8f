import type { Knex } from 'knex';
import { checkRulesAgainstCatalog } from '../catalog/check-rules-against-catalog.js';
import { probeRules } from '../catalog/probe-rules.js';
import { checkRuleOrder } from './check-rule-order.js';
import { readCatalog } from '../catalog/read-catalog.js';
import type { Catalog } from '../catalog/types.js';
import { withReadOnlySnapshot, type SqlClient } from '../db/sql-client.js';
import type { CascadeNode, RuleProblem, RuleSet, TableName } from '../rules/types.js';
import { readFragmentReferences } from '../rules/parse-fragment.js';
import { DEFAULT_STATE_SCHEMA } from '../state/ensure-state-schema.js';
import { readMissingPrivileges, type MissingPrivilege } from './read-missing-privileges.js';
import type { PrivilegePurpose } from './required-privileges.js';

export interface CheckResult {
  problems: RuleProblem[];
  catalog: Catalog;
  /** Privileges the connected role lacks for these rules (and the state schema, for a run). */
  missingPrivileges: MissingPrivilege[];
}

export interface CheckOptions {
  /** `write` (default): what a real run needs, the gate check is; `read`: what a plan needs. */
  purpose?: PrivilegePurpose;
  stateSchema?: string;
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
export async function checkRules(db: Knex, ruleSet: RuleSet, now: Date, options: CheckOptions = {}): Promise<CheckResult> {
  return withReadOnlySnapshot(db, (client) => checkRulesWith(client, ruleSet, now, options));
}

/** The same, inside a snapshot the caller already holds (plan checks, then counts, in one snapshot). */
export async function checkRulesWith(client: SqlClient, ruleSet: RuleSet, now: Date, options: CheckOptions = {}): Promise<CheckResult> {
  {
    const catalog = await readCatalog(client, tablesOf(ruleSet));
    const problems = checkRulesAgainstCatalog(ruleSet, catalog);
    const purpose = options.purpose ?? 'write';
    const stateSchema = options.stateSchema ?? DEFAULT_STATE_SCHEMA;
    const missingPrivileges = await readMissingPrivileges(client, ruleSet, catalog, purpose, stateSchema);
    // A plan by a role that may only read EXPLAINs only the statements a plan sends: EXPLAIN of a DELETE needs DELETE.
    const writeGaps = purpose === 'write' ? missingPrivileges : await readMissingPrivileges(client, ruleSet, catalog, 'write', stateSchema);
    const readOnly = new Set(ruleSet.rules.filter((rule) => writeGaps.some((gap) => gap.ruleId === rule.id)));
    const failing = new Set(problems.filter((problem) => problem.severity === 'error').map((problem) => problem.file + '\0' + problem.path.split('.')[0]));
    const unprivileged = new Set(missingPrivileges.map((gap) => gap.ruleId));
    const broken = new Set(ruleSet.rules.filter((rule) => failing.has(rule.source.file + '\0' + rule.source.locate([]).path)));
    // A rule the role may not read or write is not probed: the server would only say "permission denied".
    const probed = { ...ruleSet, rules: ruleSet.rules.filter((rule) => !unprivileged.has(rule.id)) };
    problems.push(...(await probeRules(client, probed, catalog, now, broken, readOnly)));
    problems.push(...(await checkRuleOrder(ruleSet, catalog)));
    problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    return { problems, catalog, missingPrivileges };
  }
}
