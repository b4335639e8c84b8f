import knex, { type Knex } from 'knex';
import { seedBench3d } from '../../src/bench3d/seed-bench3d.js';
import type { ThrowawayServer } from './throwaway-cluster.js';
import { BENCH_NOW } from './run-helpers.js';

/** A session pool on one database of a throwaway server. */
export function openDb(server: ThrowawayServer, database: string): Knex {
  return knex({ client: 'pg', connection: server.url(database), pool: { min: 0, max: 2 } });
}

/**
 * Bench3D data in `seeded` on a throwaway server, and copies of it (CREATE DATABASE … TEMPLATE):
 * identical starting points for a run and its control.
 */
export async function seedWithCopies(server: ThrowawayServer, copies: string[], options: { scale: number; seed?: number }): Promise<void> {
  const admin = openDb(server, 'postgres');
  try {
    await admin.raw('CREATE DATABASE lethe_seeded');
    const seeded = openDb(server, 'lethe_seeded');
    try {
      await seedBench3d(seeded, { scale: options.scale, seed: options.seed ?? 7, now: new Date(BENCH_NOW) });
    } finally {
      await seeded.destroy();
    }
    for (const copy of copies) await admin.raw(`CREATE DATABASE "${copy}" TEMPLATE lethe_seeded`);
  } finally {
    await admin.destroy();
  }
}
