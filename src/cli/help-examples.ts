/**
 * The examples every command's --help ends with: the invocations an on-call engineer reaches
 * for. Each is an argv (after `lethe`); a unit test parses every one with the real program, so
 * an example cannot name a flag that does not exist.
 */
export interface HelpExample {
  /** What the example does, one line. */
  says: string;
  /** The arguments after `lethe`; a `"$(...)"` element is shell text, shown as written. */
  args: string[];
}

export const HELP_EXAMPLES: Record<string, HelpExample[]> = {
  validate: [
    { says: 'check the rule files offline, before committing them', args: ['validate', '--rules', './rules'] },
    { says: 'in CI: warnings fail too, one JSON document on stdout', args: ['validate', '--strict', '--format', 'json'] },
  ],
  check: [
    { says: 'rules and the role\'s privileges against the live schema ($DATABASE_URL), writes nothing', args: ['check'] },
    { says: 'CI gate: exit 4 when due rows are more than two days past their cutoff; overdue rows pushed to a Pushgateway', args: ['check', '--fail-on-overdue', '2d', '--metrics-push', 'http://pushgateway:9091'] },
    { says: 'CI gate: exit 4 when a table referencing the people is reached by no rule, or a column is changed, deleted or kept by none', args: ['check', '--requests', '--coverage', '--fail-on-uncovered'] },
  ],
  init: [
    { says: 'draft commented rules from the live schema into a new folder (never overwrites)', args: ['init', '--db', 'postgres://postgres@127.0.0.1:5432/app', '--out', 'rules-draft'] },
    { says: 'also match 200 rows per table against value patterns (counts only), hashing identifiers', args: ['init', '--out', 'rules-draft', '--sample', '200', '--rules-style', 'pseudonymize'] },
  ],
  plan: [
    { says: 'dry run of one rule: what it would change now', args: ['plan', '--only', 'device-logs'] },
    { says: 'as it will be on a given day', args: ['plan', '--now', '2026-12-01T00:00:00Z'] },
    { says: 'a plan to review, applied later with run --plan', args: ['plan', '--format', 'json', '--out', 'plan.json'] },
  ],
  run: [
    { says: 'dry run of one rule (same report as plan, writes nothing)', args: ['run', '--only', 'device-logs', '--dry-run'] },
    { says: 'the scheduled job: due rules, an 8-minute budget (exit 3 and resumable when it runs out)', args: ['run', '--due', '--yes', '--max-runtime', '8m', '--metrics-push', 'http://pushgateway:9091'] },
    { says: 'apply exactly a reviewed plan, refused (exit 4) when the counts moved more than 5%', args: ['run', '--plan', 'plan.json', '--plan-tolerance', '5%', '--yes'] },
  ],
  status: [
    { says: 'last runs, checkpoints, lock holders, next due times, ledger check', args: ['status'] },
    { says: 'prove the ledger still holds a head kept from an earlier run report', args: ['status', '--verify-head', '"$(cat last-head.txt)"'] },
    { says: 'the same as one JSON document, for scripts', args: ['status', '--format', 'json'] },
  ],
  schedule: [
    { says: 'the next three fire times of every rule', args: ['schedule'] },
    { says: 'the next ten, counted from a given time', args: ['schedule', '--count', '10', '--now', '2026-12-01T00:00:00Z'] },
  ],
  erase: [
    { says: 'dry run of one request: what would be removed and kept, and why; writes nothing', args: ['erase', '--subject', '"$(cat subject.txt)"', '--request-id', 'REQ-2026-0042', '--dry-run'] },
    { says: 'the request itself, from a ticket job: a JSON receipt; rerun the same id to resume', args: ['erase', '--subject', '"$(cat subject.txt)"', '--request-id', 'REQ-2026-0042', '--yes', '--format', 'json', '--out', 'receipt.json'] },
    { says: 'thousands of people at once, set-based, from a file with one id per line', args: ['erase', '--subjects-file', 'ids.txt', '--request-id', 'BULK-2026-11', '--yes'] },
  ],
  export: [
    { says: "a copy of one person's data (policy V.4) into a file only its owner can read", args: ['export', '--subject', '"$(cat subject.txt)"', '--out', 'copy.json'] },
    { says: 'one row per line, for a large export or a line-by-line reader', args: ['export', '--subject', '"$(cat subject.txt)"', '--format', 'jsonl', '--out', 'copy.jsonl'] },
    { says: 'a person of another kind of subject (a key of holds in lethe.yaml)', args: ['export', '--subject', '"$(cat subject.txt)"', '--kind', 'staff'] },
  ],
  seed: [
    { says: 'synthetic Bench3D data into a test database (1,000 users)', args: ['seed', '--db', 'postgres://postgres@127.0.0.1:5432/bench3d'] },
    { says: 'ten times larger, the same rows every time', args: ['seed', '--db', 'postgres://postgres@127.0.0.1:5432/bench3d', '--scale', '10', '--seed', '7', '--now', '2026-11-25T00:00:00Z'] },
  ],
  demo: [
    { says: 'the whole story on an embedded database, then removed', args: ['demo'] },
    { says: 'a larger demo whose database stays, to explore it', args: ['demo', '--scale', '1', '--keep'] },
  ],
};

/** The text appended after a command's help (commander adds the final newline). */
export function renderHelpExamples(examples: HelpExample[]): string {
  const lines = examples.flatMap((example) => [`  # ${example.says}`, `  $ lethe ${example.args.map(quoteArg).join(' ')}`]);
  return `\nExamples:\n${lines.join('\n')}`;
}

function quoteArg(arg: string): string {
  if (arg.startsWith('"$(')) return arg;
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
