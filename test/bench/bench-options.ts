import { parseArgs } from 'node:util';
import { CASE_NAMES, type CaseName } from './bench-cases.js';

export interface BenchOptions {
  rows: number;
  repeat: number;
  format: 'table' | 'json';
  /** The server to create the bench database on; only its host, port and credentials are used. */
  serverUrl: string;
  cases: CaseName[];
  /** The CLI to drive; `bin/lethe.js` by default, another build to compare executors. */
  cli: string;
  /** Keep Lethe's rule files, reports and logs even when every case passed. */
  keep: boolean;
}

const USAGE = `usage: npm run bench -- [--rows N] [--repeat N] [--format table|json] [--db URL] [--cases ${CASE_NAMES.join(',')}] [--cli bin/lethe.js] [--keep]`;

/** Flags over TEST_DATABASE_URL over the local default, resolved once. */
export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string', default: '2000000' },
      repeat: { type: 'string', default: '3' },
      format: { type: 'string', default: 'table' },
      db: { type: 'string' },
      cases: { type: 'string' },
      cli: { type: 'string', default: 'bin/lethe.js' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageError(USAGE);
  const rows = positiveInteger('--rows', values.rows);
  const repeat = positiveInteger('--repeat', values.repeat);
  if (values.format !== 'table' && values.format !== 'json') throw new UsageError(`--format must be table or json\n${USAGE}`);
  const cases = values.cases ? values.cases.split(',').map((name) => name.trim()) : [...CASE_NAMES];
  const unknown = cases.filter((name) => !(CASE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new UsageError(`unknown case(s): ${unknown.join(', ')}\n${USAGE}`);
  return {
    rows,
    repeat,
    format: values.format,
    serverUrl: values.db ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    cases: cases as CaseName[],
    cli: values.cli,
    keep: values.keep,
  };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${flag} must be a positive integer, got '${text}'\n${USAGE}`);
  return value;
}

export class UsageError extends Error {}
