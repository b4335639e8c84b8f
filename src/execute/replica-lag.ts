import type { SqlClient } from '../db/sql-client.js';

/**
 * How far the worst standby's replay is behind, in time. `pg_stat_replication.replay_lag` alone
 * is not enough: it is measured only when replay passes a sampled position, so while a standby's
 * replay is paused or stuck it keeps its last (small) value, and it is NULL on an idle link.
 * The tracker keeps the primary's WAL position at each check with the time it was seen; a standby
 * whose replay position is still before a sample is at least as far behind as that sample is old.
 */
export interface ReplicaLag {
  /** Worst standby, in ms; 0 when every standby has replayed everything. */
  lagMs: number;
  /** That standby's bytes of WAL not yet replayed. */
  behindBytes: number;
  /** Its application_name (the name in primary_conninfo), for the log. */
  standby: string;
}

interface Sample {
  lsn: bigint;
  atMs: number;
}

interface StandbyRow {
  standby: string;
  current: string;
  replay: string | null;
  replay_lag_ms: number | null;
}

export interface LagTracker {
  /** The worst standby's lag now, or null without standbys. */
  measure(client: SqlClient): Promise<ReplicaLag | null>;
}

export function createLagTracker(now: () => number = Date.now): LagTracker {
  let samples: Sample[] = [];
  return {
    async measure(client) {
      const result = await client.query<StandbyRow>(
        `SELECT coalesce(nullif(application_name, ''), client_addr::text, 'standby') AS standby,
                pg_current_wal_lsn()::text AS current, replay_lsn::text AS replay,
                (extract(epoch FROM replay_lag) * 1000)::float8 AS replay_lag_ms
           FROM pg_stat_replication`,
      );
      if (result.rows.length === 0) return null;
      const at = now();
      const current = parseLsn(result.rows[0]!.current);
      if (samples.length === 0 || samples[samples.length - 1]!.lsn < current) samples.push({ lsn: current, atMs: at });
      let worst: ReplicaLag | undefined;
      for (const row of result.rows) {
        const lag = lagOf(row, current, samples, at);
        if (!worst || lag.lagMs > worst.lagMs) worst = lag;
      }
      samples = pruneSamples(samples, result.rows);
      return worst!;
    },
  };
}

function lagOf(row: StandbyRow, current: bigint, samples: Sample[], at: number): ReplicaLag {
  const replay = row.replay === null ? undefined : parseLsn(row.replay);
  const behindBytes = replay === undefined ? Number.POSITIVE_INFINITY : Number(current > replay ? current - replay : 0n);
  if (behindBytes === 0) return { lagMs: 0, behindBytes: 0, standby: row.standby };
  // The oldest sample not yet replayed: the standby has not seen WAL written at that time.
  const oldest = samples.find((sample) => replay === undefined || sample.lsn > replay);
  const tracked = oldest ? at - oldest.atMs : 0;
  return { lagMs: Math.max(tracked, row.replay_lag_ms ?? 0), behindBytes, standby: row.standby };
}

/** Samples every standby has replayed past tell nothing any more; the newest stays as an anchor. */
function pruneSamples(samples: Sample[], rows: StandbyRow[]): Sample[] {
  if (rows.some((row) => row.replay === null)) return samples;
  const slowest = rows.map((row) => parseLsn(row.replay!)).reduce((a, b) => (a < b ? a : b));
  const kept = samples.filter((sample) => sample.lsn > slowest);
  return kept.length > 0 ? kept : samples.slice(-1);
}

/** `16/B374D848` -> a number that orders like the position. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}
