/**
 * What a run does to each table of the state schema, for the privilege check of a role that
 * does not own the schema. A role that owns it (the documented setup) has all of these.
 * A new state table in a migration belongs here too.
 */
export const STATE_TABLE_PRIVILEGES: Record<string, { run: string[]; read: string[] }> = {
  migrations: { run: ['SELECT'], read: [] },
  runs: { run: ['SELECT', 'INSERT', 'UPDATE'], read: [] },
  rule_runs: { run: ['SELECT', 'INSERT', 'UPDATE'], read: [] },
  checkpoints: { run: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], read: ['SELECT'] },
  ledger: { run: ['SELECT', 'INSERT'], read: [] },
  settings: { run: ['SELECT'], read: [] },
  checked_rules: { run: ['SELECT', 'INSERT', 'UPDATE'], read: [] },
  range_checkpoints: { run: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], read: [] },
};
