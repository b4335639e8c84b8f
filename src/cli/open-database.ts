import { connect, parseDatabaseUrl, type Db } from '../db/connect.js';
import type { CommandContext } from './context.js';

/** Connects to --db / DATABASE_URL, runs `use`, and always closes the pool. */
export async function withDatabase<T>(ctx: CommandContext, use: (db: Db) => Promise<T>, maxConnections = 4): Promise<T> {
  const url = parseDatabaseUrl(ctx.globals.db);
  const db = await connect({ url, maxConnections });
  try {
    return await use(db);
  } finally {
    await db.destroy();
  }
}
