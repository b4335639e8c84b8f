import type { TestProject } from 'vitest/node';
import knex from 'knex';
import { randomBytes } from 'node:crypto';
import { findPostgres, withDatabase, type TestServer } from './find-postgres.js';
import { applyBench3dSchema } from '../../src/bench3d/apply-schema.js';
import { ensureBundle } from './ensure-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
  }
}

let server: TestServer | undefined;
let templateDatabase: string | undefined;

/**
 * One server for the whole run and one migrated template database; each test
 * file clones the template (fast) and drops its clone when done.
 */
export async function setup(project: TestProject): Promise<void> {
  ensureBundle();
  server = await findPostgres();
  templateDatabase = `lethe_tpl_${randomBytes(4).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: server.adminUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE DATABASE "${templateDatabase}"`);
  } finally {
    await admin.destroy();
  }
  const template = knex({ client: 'pg', connection: withDatabase(server.adminUrl, templateDatabase), pool: { min: 0, max: 1 } });
  try {
    await applyBench3dSchema(template);
  } finally {
    await template.destroy();
  }
  project.provide('adminUrl', server.adminUrl);
  project.provide('templateDatabase', templateDatabase);
  process.stderr.write(`test databases: ${server.source}\n`);
}

export async function teardown(): Promise<void> {
  if (server && templateDatabase) {
    const admin = knex({ client: 'pg', connection: server.adminUrl, pool: { min: 0, max: 1 } });
    try {
      await admin.raw(`DROP DATABASE IF EXISTS "${templateDatabase}" WITH (FORCE)`);
    } finally {
      await admin.destroy();
    }
  }
  await server?.stop();
}
