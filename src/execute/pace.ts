import type { Connection, ExecuteOptions } from './types.js';

/** Rows per second and replica lag: sleep before the next batch rather than overrun either. */
export async function waitForPace(connection: Connection, options: ExecuteOptions, rowsSoFar: number, startedAt: number): Promise<void> {
  if (options.maxRowsPerSecond !== undefined && rowsSoFar > 0) {
    const earliest = startedAt + (rowsSoFar / options.maxRowsPerSecond) * 1000;
    const wait = earliest - Date.now();
    if (wait > 0) await options.sleep(Math.min(wait, remaining(options)));
  }
  if (options.maxReplicaLagMs !== undefined) {
    for (;;) {
      const lag = await replicaLagMs(connection);
      if (lag === null || lag <= options.maxReplicaLagMs || options.signal.aborted || remaining(options) <= 0) return;
      options.logger.info('waiting for replicas to catch up', { lagMs: Math.round(lag), maxMs: options.maxReplicaLagMs });
      await options.sleep(Math.min(1000, remaining(options)));
    }
  }
}

function remaining(options: ExecuteOptions): number {
  return options.deadline === undefined ? Number.POSITIVE_INFINITY : Math.max(0, options.deadline - Date.now());
}

/** The worst standby's replay lag in ms, or null without standbys. */
export async function replicaLagMs(connection: Connection): Promise<number | null> {
  const result = await connection.query<{ lag: number | null }>(`SELECT max(extract(epoch FROM replay_lag) * 1000)::float8 AS lag FROM pg_stat_replication`);
  return result.rows[0]?.lag ?? null;
}
