import type { SqlClient } from '../db/sql-client.js';
import type { Plan } from '../plan/types.js';
import { hashRule } from '../rules/hash-rule.js';
import { buildLedgerInsert, readLastLedgerHash } from '../state/ledger.js';
import type { GuardTrip } from './find-guard-trips.js';

/**
 * A guard passed with --override-guard leaves a ledger row in the rule's chain
 * (action `override-guard`, the guard in key_from, its message's numbers in
 * key_to), before the rule's first batch, so the evidence says it was deliberate.
 */
export async function recordGuardOverrides(client: SqlClient, schema: string, runId: string, plan: Plan, trips: GuardTrip[]): Promise<void> {
  for (const trip of trips) {
    const planned = plan.rules.find((candidate) => candidate.rule.id === trip.ruleId);
    if (!planned) continue;
    const prevHash = await readLastLedgerHash(client, schema, trip.ruleId);
    const numbers = trip.message.match(/[\d,.]+%?/g) ?? [];
    const ledger = buildLedgerInsert(
      schema,
      { runId, ruleId: trip.ruleId, ruleHash: hashRule(planned.rule, planned.holdsSubjects), phaseAfter: '-', action: 'override-guard', rowsAffected: {}, keyFrom: [`guard:${trip.guard}`], keyTo: numbers, batchMs: 0 },
      prevHash,
    );
    await client.query(ledger.statement);
  }
}
