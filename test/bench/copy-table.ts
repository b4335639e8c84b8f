import type pg from 'pg';
import { TEMPLATE_TABLE } from './load-template.js';

/**
 * A fresh copy of the template, built the same way every time: rows first, then the primary
 * key and the created_at index, then VACUUM ANALYZE and a CHECKPOINT, so that neither side of a
 * comparison inherits dead rows, stale statistics or a checkpoint triggered by the copy's own WAL.
 * Autovacuum is off on copies so it cannot start in the middle of one side's measurement.
 */
export async function copyTable(client: pg.Client, name: string, indexes: string[] = []): Promise<void> {
  await dropTable(client, name);
  await client.query(`CREATE TABLE ${name} (LIKE ${TEMPLATE_TABLE} INCLUDING ALL EXCLUDING INDEXES) WITH (autovacuum_enabled = false)`);
  await client.query(`INSERT INTO ${name} SELECT * FROM ${TEMPLATE_TABLE} ORDER BY id`);
  await client.query(`ALTER TABLE ${name} ADD PRIMARY KEY (id)`);
  await client.query(`CREATE INDEX ${name}_created_at_idx ON ${name} (created_at)`);
  for (const column of indexes) await client.query(`CREATE INDEX ${name}_${column}_idx ON ${name} (${column})`);
  await settle(client, name);
}

/**
 * The same rows in a table range-partitioned by month on created_at. The primary key must
 * contain the partition key, so it is (id, created_at).
 */
export async function copyPartitionedTable(client: pg.Client, name: string): Promise<void> {
  await dropTable(client, name);
  await client.query(`CREATE TABLE ${name} (LIKE ${TEMPLATE_TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (created_at)`);
  const bounds = await client.query<{ from: string; to: string; suffix: string }>(
    `SELECT m::text AS from, (m + interval '1 month')::text AS to, to_char(m, 'YYYYMM') AS suffix
     FROM generate_series((SELECT date_trunc('month', min(created_at)) FROM ${TEMPLATE_TABLE}),
                          (SELECT date_trunc('month', max(created_at)) FROM ${TEMPLATE_TABLE}),
                          interval '1 month') AS m`,
  );
  for (const month of bounds.rows) {
    await client.query(
      `CREATE TABLE ${name}_p${month.suffix} PARTITION OF ${name} FOR VALUES FROM ('${month.from}') TO ('${month.to}') WITH (autovacuum_enabled = false)`,
    );
  }
  await client.query(`INSERT INTO ${name} SELECT * FROM ${TEMPLATE_TABLE} ORDER BY id`);
  await client.query(`ALTER TABLE ${name} ADD PRIMARY KEY (id, created_at)`);
  await client.query(`CREATE INDEX ${name}_created_at_idx ON ${name} (created_at)`);
  await settle(client, name);
}

/** Drops a copy with its partitions (Lethe may have detached some; those are gone already). */
export async function dropTable(client: pg.Client, name: string): Promise<void> {
  const partitions = await client.query<{ relname: string }>(
    `SELECT relname FROM pg_class WHERE relname LIKE $1 AND relkind = 'r' AND relnamespace = 'public'::regnamespace`,
    [`${name}\\_p%`],
  );
  await client.query(`DROP TABLE IF EXISTS ${name} CASCADE`);
  // Partitions detached but not dropped would otherwise linger and fill the disk.
  for (const row of partitions.rows) await client.query(`DROP TABLE IF EXISTS "${row.relname}"`);
}

async function settle(client: pg.Client, name: string): Promise<void> {
  await client.query(`VACUUM ANALYZE ${name}`);
  await client.query('CHECKPOINT');
}
