import type { Knex } from 'knex';
import { withClient } from '../db/sql-client.js';
import { findLockHolder, type LockHolder } from '../execute/advisory-lock.js';
import type { Rule } from '../rules/types.js';
import { nextDue } from '../schedule/find-due-rules.js';
import { stateSchemaExists } from '../state/ensure-state-schema.js';
import { verifyLedger, type LedgerHead, type LedgerVerification } from '../state/ledger.js';
import { readResumableRules, readRuleHistory } from '../state/read-rule-history.js';

export interface RuleStatusReport {
  id: string;
  lastRun: {
    runId: string;
    startedAt: string;
    finishedAt: string | null;
    status: string;
    logicalNow: string;
    durationMs: number | null;
    rowsAffected: number;
    stopReason: string | null;
    phases: unknown;
  } | null;
  resumable: boolean;
  lock: LockHolder | null;
  nextDue: string | null;
}

export interface StatusReport {
  lethe: 1;
  now: string;
  rules: RuleStatusReport[];
  ledger: LedgerVerification;
}

/** Read-only: last runs, resumable checkpoints, lock holders, next due times and the ledger chain. */
export async function readStatus(db: Knex, rules: Rule[], now: Date, stateSchema: string, options: { verifyHead?: LedgerHead | undefined } = {}): Promise<StatusReport> {
  return withClient(db, async (client) => {
    const exists = await stateSchemaExists(client, stateSchema);
    const history = exists ? await readRuleHistory(client, stateSchema) : { latest: new Map(), lastCompleted: new Map() };
    const resumable = exists ? await readResumableRules(client, stateSchema) : new Set<string>();
    const expected = options.verifyHead ? { expected: options.verifyHead } : {};
    const ledger: LedgerVerification = exists
      ? await verifyLedger(client, stateSchema, expected)
      : { verified: !options.verifyHead, batches: 0, brokenAt: null, head: null, ...(options.verifyHead ? { verifiedHead: { ...options.verifyHead, found: false, problem: 'the state schema does not exist' } } : {}) };
    const reports: RuleStatusReport[] = [];
    for (const rule of rules) {
      const last = history.latest.get(rule.id);
      reports.push({
        id: rule.id,
        lastRun: last
          ? {
              runId: last.runId,
              startedAt: last.startedAt.toISOString(),
              finishedAt: last.finishedAt?.toISOString() ?? null,
              status: last.status,
              logicalNow: last.logicalNow.toISOString(),
              durationMs: last.finishedAt ? last.finishedAt.getTime() - last.startedAt.getTime() : null,
              rowsAffected: last.rowsAffected,
              stopReason: last.stopReason,
              phases: last.phases,
            }
          : null,
        resumable: resumable.has(rule.id),
        lock: await findLockHolder(client, rule.id),
        nextDue: nextDue(rule, now)?.toISOString() ?? null,
      });
    }
    return { lethe: 1, now: now.toISOString(), rules: reports, ledger };
  });
}
