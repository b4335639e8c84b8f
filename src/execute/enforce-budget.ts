import { LetheError } from '../errors.js';

/**
 * An erasure shows its counts before it writes; no batch may go beyond them.
 * Thrown inside the batch's transaction, this rolls the batch back: nothing
 * beyond the approved counts is ever committed (exit 4; the same request id
 * counts and confirms anew).
 */
export function enforceBudget(ruleId: string, affected: Record<string, number>, budget: Record<string, number>): void {
  for (const [table, rows] of Object.entries(affected)) {
    const left = budget[table] ?? 0;
    if (rows > left) {
      throw new LetheError('SAFETY_GUARD', `rule '${ruleId}': ${table} would lose ${rows} row${rows === 1 ? '' : 's'} where ${left} ${left === 1 ? 'is' : 'are'} still approved: the batch was rolled back`, {
        hint: 'rows of these people appeared after they were counted; run the same request again (same --request-id) to count and confirm anew',
      });
    }
  }
}
