import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  name: string;
  url: string;
  /** One session for the harness: loading, copying, the references, the checks. */
  client: pg.Client;
  drop(): Promise<void>;
}

export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A database of its own, `lethe_bench_<random>`; the only one this harness ever drops. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const adminUrl = withDatabaseName(serverUrl, 'postgres');
  const name = `lethe_bench_${randomBytes(5).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = withDatabaseName(serverUrl, name);
  const client = new pg.Client({ connectionString: url, application_name: 'lethe bench' });
  await client.connect();
  // Cutoffs are computed in UTC, as Lethe's rules do by default.
  await client.query(`SET TimeZone = 'UTC'`);
  let dropped = false;
  return {
    name,
    url,
    client,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await client.end().catch(() => undefined);
      await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(adminUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl, application_name: 'lethe bench admin' });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
