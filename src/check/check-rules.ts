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
import { DEFAULT_STATE_SCHEMA } from '../state/ensure-state-schema.js';
import { readMissingPrivileges, type MissingPrivilege } from './read-missing-privileges.js';
import type { PrivilegePurpose } from './required-privileges.js';

export interface CheckResult {
  problems: RuleProblem[];
  catalog: Catalog;
  /** Privileges the connected role lacks for these rules (and the state schema, for a run). */
  missingPrivileges: MissingPrivilege[];
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

export interface CheckOptions {
  /** `write` (default): what a real run needs, the gate check is; `read`: what a plan needs. */
  purpose?: PrivilegePurpose;
  stateSchema?: string;
  /** Rules a run probed without a problem: unchanged ones are not EXPLAINed again (run only). */
  known?: Map<string, PassedCheck>;
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
  const catalog = await readCatalog(client, tablesOf(ruleSet));
  const problems = checkRulesAgainstCatalog(ruleSet, catalog);
  const purpose = options.purpose ?? 'write';
  const stateSchema = options.stateSchema ?? DEFAULT_STATE_SCHEMA;
  const known = options.known ?? new Map<string, PassedCheck>();
  const missingPrivileges = await readMissingPrivileges(client, ruleSet, catalog, purpose, stateSchema);
  // A plan by a role that may only read EXPLAINs only the statements a plan sends: EXPLAIN of a DELETE needs DELETE.
  const writeGaps = purpose === 'write' ? missingPrivileges : await readMissingPrivileges(client, ruleSet, catalog, 'write', stateSchema);
  const readOnly = new Set(ruleSet.rules.filter((rule) => writeGaps.some((gap) => gap.ruleId === rule.id)));
  const failing = new Set(problems.filter((problem) => problem.severity === 'error').map((problem) => problem.file + '\0' + problem.path.split('.')[0]));
  const unprivileged = new Set(missingPrivileges.map((gap) => gap.ruleId));
  const broken = new Set(ruleSet.rules.filter((rule) => failing.has(rule.source.file + '\0' + rule.source.locate([]).path)));
  // A rule that passed the catalog checks and is unchanged, on tables of the same shape, since a run
  // probed it without a problem is not EXPLAINed again; its clock type is the one found then.
  const fingerprints = new Map(ruleSet.rules.filter((rule) => !broken.has(rule) && known.size > 0).map((rule) => [rule.id, fingerprintRuleCheck(rule, ruleSet, catalog)]));
  const unchanged = new Set(ruleSet.rules.filter((rule) => !unprivileged.has(rule.id) && !readOnly.has(rule) && fingerprints.has(rule.id) && known.get(rule.id)?.fingerprint === fingerprints.get(rule.id)));
  for (const rule of unchanged) (catalog.clockTypes ??= new Map()).set(rule.id, known.get(rule.id)!.clockType);
  // A rule the role may not read or write is not probed: the server would only say "permission denied".
  const probed = { ...ruleSet, rules: ruleSet.rules.filter((rule) => !unprivileged.has(rule.id) && !unchanged.has(rule)) };
  const probeProblems = await probeRules(client, probed, catalog, now, broken, readOnly);
  problems.push(...probeProblems);
  problems.push(...(await checkRuleOrder(ruleSet, catalog)));
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  // Recorded only from a check without errors or missing privileges whose probes found nothing at all to say.
  const clean = probeProblems.length === 0 && missingPrivileges.length === 0 && !problems.some((problem) => problem.severity === 'error');
  const passed = (clean ? probed.rules.filter((rule) => !broken.has(rule) && !readOnly.has(rule)) : []).map((rule) => ({
    ruleId: rule.id,
    fingerprint: fingerprints.get(rule.id) ?? fingerprintRuleCheck(rule, ruleSet, catalog),
    clockType: catalog.clockTypes?.get(rule.id) ?? 'timestamptz',
  }));
  return { problems, catalog, missingPrivileges, passed, skipped: [...unchanged].map((rule) => rule.id) };
}
