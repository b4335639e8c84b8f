import type { RuleReport } from '../report/types.js';
import type { Rule } from '../rules/types.js';
import type { SubjectStatus } from '../state/requests.js';
import type { EraseMeasure, RuleCount } from './measure-erase.js';
import type { KeptRows, Receipt, ReceiptRule, ReceiptStatus, ReceiptTable } from './receipt-types.js';

export interface ReceiptInput {
  mode: Receipt['mode'];
  requestId: string | null;
  kind: string;
  now: Date;
  applied: Rule[];
  skipped: { rule: Rule; reason: string | undefined }[];
  /** Table names as reports print them (schema.table), by rule id. */
  tables: Map<string, string>;
  measure: EraseMeasure;
  /** The people's outcomes, by digest (or by position when there is no ledger key yet). */
  subjects: { digest: string | undefined; status: SubjectStatus }[];
  /** A real erasure: each rule's report from this attempt and the ledger's counts over every attempt. */
  executed?: { rules: RuleReport[]; counts: Map<string, Record<string, number>> };
  status?: ReceiptStatus;
  startedAt?: Date;
  finishedAt?: Date;
  requestedBy?: { role: string; osUser: string | null };
  ledgerHead?: { seq: number; hash: string };
}

/** Pure: what was (or would be) removed, changed and kept, per rule, table and person; counts only. */
export function buildReceipt(input: ReceiptInput): Receipt {
  const rules: ReceiptRule[] = [
    ...input.applied.map((rule) => appliedRule(rule, input)),
    ...input.skipped.map(({ rule, reason }): ReceiptRule => {
      const rows = input.measure.skipped.get(rule.id) ?? 0;
      return { id: rule.id, category: rule.category, table: tableOf(input, rule), action: 'skip', status: 'kept', rows: 0, kept: rows > 0 ? [{ reason: 'request-skip', rows, ...(reason ? { detail: reason } : {}) }] : [] };
    }),
  ];
  const statuses = input.subjects.map((subject) => subject.status);
  const count = (status: SubjectStatus) => statuses.filter((candidate) => candidate === status).length;
  const digests = input.subjects.every((subject) => subject.digest !== undefined) ? input.subjects.map((subject) => ({ digest: subject.digest!, status: subject.status })) : undefined;
  return {
    lethe: 1,
    receipt: 'erase',
    mode: input.mode,
    requestId: input.requestId,
    status: input.status ?? (input.mode === 'dry-run' ? 'planned' : 'done'),
    kind: input.kind,
    now: input.now.toISOString(),
    ...(input.startedAt ? { startedAt: input.startedAt.toISOString() } : {}),
    ...(input.finishedAt ? { finishedAt: input.finishedAt.toISOString() } : {}),
    ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
    subjects: { requested: statuses.length, done: count('done'), pending: count('pending'), notFound: count('not-found'), held: count('held'), ...(digests ? { digests } : {}) },
    categories: [...new Set(rules.map((rule) => rule.category))].sort(),
    rules,
    tables: summarizeTables(rules, rowsByTable(rules, input.measure.rows), input.executed ? 'after' : 'before'),
    ...(input.ledgerHead ? { ledgerHead: input.ledgerHead } : {}),
  };
}

function tableOf(input: ReceiptInput, rule: Rule): string {
  return input.tables.get(rule.id) ?? (rule.table.schema ? `${rule.table.schema}.${rule.table.name}` : rule.table.name);
}

function appliedRule(rule: Rule, input: ReceiptInput): ReceiptRule {
  const phase = rule.phases[0]!;
  const table = tableOf(input, rule);
  const count: RuleCount = input.measure.rules.get(rule.id) ?? { candidates: 0, held: 0, heldBy: [], keptByWhere: 0, cascades: [] };
  const kept = keptRows(count, input.kind);
  const base = { id: rule.id, category: rule.category, table, action: phase.action, kept };
  const databaseCascades = count.cascades.filter((cascade) => cascade.by === 'database' && cascade.rows > 0);
  if (!input.executed) {
    const cascades = count.cascades.filter((cascade) => cascade.rows > 0);
    return { ...base, status: 'planned', rows: count.candidates, ...(cascades.length > 0 ? { cascades } : {}) };
  }
  const report = input.executed.rules.find((candidate) => candidate.id === rule.id);
  const sums = input.executed.counts.get(rule.id) ?? {};
  const cascades = [
    ...Object.entries(sums).filter(([name, rows]) => name !== table && rows > 0).map(([name, rows]) => ({ table: name, by: 'rule' as const, rows })),
    ...(report?.status === 'done' ? databaseCascades : []),
  ];
  return {
    ...base,
    status: report?.status === 'planned' || !report ? 'failed' : report.status,
    rows: sums[table] ?? 0,
    ...(cascades.length > 0 ? { cascades } : {}),
    ...(report?.error ? { error: report.error } : {}),
    ...(report?.lockedBy ? { lockedBy: { pid: report.lockedBy.pid, applicationName: report.lockedBy.applicationName } } : {}),
  };
}

/** Rows that stay, by reason: the rule's `where`, and each hold by name. */
export function keptRows(count: RuleCount, kind: string): KeptRows[] {
  const kept: KeptRows[] = [];
  if (count.keptByWhere > 0) kept.push({ reason: 'where', rows: count.keptByWhere });
  for (const held of count.heldBy) {
    const hold = held.reason === 'subject' ? `holds.${kind}` : held.reason === 'hold' ? 'rule hold' : `cascade ${held.table ?? ''}`.trim();
    kept.push({ reason: 'hold', hold, rows: held.rows });
  }
  return kept;
}

/** The people's rows per table: the largest count over the rules on it (rules on one table see the same person's rows). */
function rowsByTable(rules: ReceiptRule[], rows: Map<string, number>): Map<string, number> {
  const tables = new Map<string, number>();
  for (const rule of rules) tables.set(rule.table, Math.max(tables.get(rule.table) ?? 0, rows.get(rule.id) ?? 0));
  return tables;
}

/**
 * Per table: rows removed (own and cascaded), anonymized, and kept: the
 * people's rows (counted before) that stay as they were. After an erasure the
 * counts are the ledger's, exact; before it, rules on one table overlap, so
 * each count is the largest over those rules.
 */
export function summarizeTables(rules: ReceiptRule[], rows: Map<string, number>, when: 'before' | 'after'): ReceiptTable[] {
  const tables = new Map<string, ReceiptTable>();
  const entry = (table: string) => tables.get(table) ?? tables.set(table, { table, removed: 0, anonymized: 0, kept: 0 }).get(table)!;
  const add = (current: number, more: number) => (when === 'after' ? current + more : Math.max(current, more));
  for (const rule of rules) {
    const own = entry(rule.table);
    if (rule.action === 'delete') own.removed = add(own.removed, rule.rows);
    else if (rule.action !== 'skip') own.anonymized = add(own.anonymized, rule.rows);
    for (const cascade of rule.cascades ?? []) entry(cascade.table).removed = add(entry(cascade.table).removed, cascade.rows);
  }
  for (const table of tables.values()) {
    const present = rows.get(table.table);
    if (present !== undefined) table.kept = Math.max(0, present - table.anonymized - table.removed);
  }
  return [...tables.values()].sort((a, b) => a.table.localeCompare(b.table));
}
