/**
 * Lethe's own schema, created and migrated by the tool. Append-only: a new
 * version is a new entry, never an edit of a shipped one.
 */
export interface StateMigration {
  version: number;
  sql: (schema: string) => string;
}

export const STATE_MIGRATIONS: StateMigration[] = [
  {
    version: 1,
    sql: (s) => `
CREATE TABLE ${s}.runs (
  run_id uuid PRIMARY KEY,
  mode text NOT NULL,
  logical_now timestamptz NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  status text NOT NULL DEFAULT 'running',
  stop_reason text,
  pid integer NOT NULL DEFAULT pg_backend_pid(),
  application_name text NOT NULL DEFAULT current_setting('application_name'),
  report jsonb
);
COMMENT ON TABLE ${s}.runs IS 'One row per lethe run: logical now (for cutoffs and --due) and wall-clock times.';

CREATE TABLE ${s}.rule_runs (
  run_id uuid NOT NULL REFERENCES ${s}.runs ON DELETE CASCADE,
  rule_id text NOT NULL,
  rule_hash text NOT NULL,
  key_id text,
  logical_now timestamptz NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  status text NOT NULL DEFAULT 'running',
  stop_reason text,
  rows_affected bigint NOT NULL DEFAULT 0,
  phases jsonb,
  PRIMARY KEY (run_id, rule_id)
);
CREATE INDEX ON ${s}.rule_runs (rule_id, finished_at DESC);

CREATE TABLE ${s}.checkpoints (
  rule_id text PRIMARY KEY,
  run_id uuid NOT NULL,
  rule_hash text NOT NULL,
  key_id text,
  logical_now timestamptz NOT NULL,
  high_water text[],
  phase_position integer NOT NULL,
  last_key text[],
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE ${s}.checkpoints IS 'Where an unfinished rule run resumes; written in the same transaction as each batch.';

CREATE TABLE ${s}.ledger (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id uuid NOT NULL,
  rule_id text NOT NULL,
  rule_hash text NOT NULL,
  phase_after text NOT NULL,
  action text NOT NULL,
  rows_affected jsonb NOT NULL,
  key_from text[],
  key_to text[],
  batch_ms integer NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  prev_hash text,
  hash text NOT NULL
);
CREATE INDEX ON ${s}.ledger (rule_id, seq);
COMMENT ON TABLE ${s}.ledger IS 'Append-only record of every batch: counts and key ranges, never personal values; each row hashes the previous one of its rule.';
`,
  },
  {
    version: 2,
    sql: (s) => `
ALTER TABLE ${s}.checkpoints ADD COLUMN IF NOT EXISTS high_water_pages bigint;
COMMENT ON COLUMN ${s}.checkpoints.high_water_pages IS 'Pages in the table when the run started: where a walk by physical position stops.';
`,
  },
  {
    version: 3,
    sql: (s) => `
CREATE TABLE ${s}.settings (
  name text PRIMARY KEY,
  value text NOT NULL
);
COMMENT ON TABLE ${s}.settings IS 'Lethe''s own settings for this database. ledger_key: the random key of the digests that stand for non-surrogate keys in the ledger and reports.';
INSERT INTO ${s}.settings (name, value)
VALUES ('ledger_key', encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'));
COMMENT ON COLUMN ${s}.ledger.key_from IS 'First key of the batch: a surrogate key as it is, any other key as hmac:<digest>, or page:N for a walk by position.';
`,
  },
  {
    version: 4,
    sql: (s) => `
CREATE TABLE ${s}.requests (
  request_id text PRIMARY KEY,
  kind text,
  subjects_digest text NOT NULL,
  subject_count integer NOT NULL,
  status text NOT NULL DEFAULT 'running',
  db_role text NOT NULL DEFAULT current_user,
  os_user text,
  logical_now timestamptz NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  receipt jsonb
);
COMMENT ON TABLE ${s}.requests IS 'One row per erasure request (lethe erase): who, when, status and the receipt; counts only, never a personal value.';
COMMENT ON COLUMN ${s}.requests.subjects_digest IS 'Digest of the set of subject digests: a rerun with the same request id must name the same people.';

CREATE TABLE ${s}.request_subjects (
  request_id text NOT NULL REFERENCES ${s}.requests ON DELETE CASCADE,
  digest text NOT NULL,
  status text NOT NULL,
  PRIMARY KEY (request_id, digest)
);
COMMENT ON TABLE ${s}.request_subjects IS 'The people of a request as keyed digests (the ledger key), never their ids: done, not-found or held.';

ALTER TABLE ${s}.runs ADD COLUMN IF NOT EXISTS request_id text;
CREATE INDEX ON ${s}.runs (request_id) WHERE request_id IS NOT NULL;
COMMENT ON COLUMN ${s}.runs.request_id IS 'The erasure request this run (attempt) belongs to; its ledger rows are the request''s counts.';
`,
  },
  {
    version: 5,
    sql: (s) => `
CREATE TABLE ${s}.checked_rules (
  rule_id text PRIMARY KEY,
  fingerprint text NOT NULL,
  clock_type text NOT NULL,
  checked_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE ${s}.checked_rules IS 'Rules whose statements a run EXPLAINed without a problem, with the fingerprint of the rule and of the tables it touches: a later run with the same fingerprint skips those EXPLAINs.';
`,
  },
  {
    version: 6,
    sql: (s) => `
CREATE TABLE ${s}.range_checkpoints (
  rule_id text NOT NULL,
  part integer NOT NULL,
  run_id uuid NOT NULL,
  phase_position integer NOT NULL,
  from_page bigint NOT NULL,
  to_page bigint NOT NULL,
  next_page bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (rule_id, part)
);
COMMENT ON TABLE ${s}.range_checkpoints IS 'A walk by pages split between workers (--concurrency): each disjoint page range and the next page to visit in it, written in the same transaction as each of its batches.';
`,
  },
];
