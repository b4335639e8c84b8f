import type { SubjectStatus } from '../state/requests.js';

/** Why rows of the requested people stay. */
export interface KeptRows {
  /** `where`: the rule leaves them out on purpose; `hold`: a hold protects them; `request-skip`: the rule's `request: skip`. */
  reason: 'where' | 'hold' | 'request-skip';
  rows: number;
  /** For `hold`: which one: `holds.subjects`, `rule hold`, or `cascade <table>` (a held row a delete would take along). */
  hold?: string;
  /** For `request-skip`: the rule's stated reason. */
  detail?: string;
}

export interface ReceiptRule {
  id: string;
  category: string;
  table: string;
  action: 'delete' | 'anonymize' | 'pseudonymize' | 'skip';
  /** `planned` in a dry run; `kept` for request: skip. */
  status: 'planned' | 'done' | 'partial' | 'skipped' | 'failed' | 'kept';
  /** Rows of the rule's table removed or changed (a dry run: that would be). */
  rows: number;
  /** Rows of other tables a delete takes along: by Lethe (`rule`), or by ON DELETE CASCADE (`database`, counted in a dry run). */
  cascades?: { table: string; by: 'rule' | 'database'; rows: number }[];
  kept: KeptRows[];
  error?: { code: string; message: string };
  lockedBy?: { pid: number; applicationName: string } | null;
}

export interface ReceiptTable {
  table: string;
  removed: number;
  anonymized: number;
  kept: number;
}

export type ReceiptStatus = 'planned' | 'done' | 'not-found' | 'stopped' | 'failed';

/** What `lethe erase` hands back: for the person, a regulator, or a ticket system (schema/receipt.schema.json). */
export interface Receipt {
  lethe: 1;
  receipt: 'erase';
  mode: 'dry-run' | 'erase';
  /** null in a dry run without --request-id. */
  requestId: string | null;
  status: ReceiptStatus;
  /** A rerun of a request that had finished: this is its stored receipt, nothing was done again. */
  alreadyDone?: boolean;
  kind: string;
  now: string;
  startedAt?: string;
  finishedAt?: string;
  requestedBy?: { role: string; osUser: string | null };
  subjects: {
    requested: number;
    done: number;
    pending: number;
    notFound: number;
    held: number;
    /** The people as keyed digests (the database's ledger key), never their ids; absent when Lethe has no state yet (a first dry run). */
    digests?: { digest: string; status: SubjectStatus }[];
  };
  categories: string[];
  rules: ReceiptRule[];
  tables: ReceiptTable[];
  ledgerHead?: { seq: number; hash: string };
}
