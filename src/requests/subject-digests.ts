import { createHash } from 'node:crypto';
import { recordedKey } from '../state/ledger-keys.js';

const AS_TEXT = [{ name: 'subject', type: 'text' }];

/**
 * A person's id as Lethe's records may hold it: a keyed digest under the
 * database's ledger key, of the kind and the id together (staff 42 is not customer 42).
 */
export function digestSubject(kind: string, id: string, ledgerKey: string): string {
  return recordedKey(AS_TEXT, [kind, id], ledgerKey)[0]!;
}

/** One digest for the whole set, whatever the order the ids came in. */
export function digestSubjectSet(digests: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify([...digests].sort())).digest('hex');
}
