import type { Bench3dTable } from './tables.js';

/** Rows per table at scale 1; scale multiplies them all. */
export const ROWS_AT_SCALE_1: Readonly<Record<Bench3dTable, number>> = {
  users: 1_000,
  third_party_logins: 600,
  device_logs: 20_000,
  verification_codes: 3_000,
  models: 800,
  public_model_metadata: 1_500,
  legal_holds: 10,
};

/**
 * Floors keep every shape the rules need (cancelled users, minors with and without consent,
 * active and released holds) even at tiny scales.
 */
const MINIMUM_ROWS: Readonly<Record<Bench3dTable, number>> = {
  users: 20,
  third_party_logins: 5,
  device_logs: 50,
  verification_codes: 10,
  models: 10,
  public_model_metadata: 5,
  legal_holds: 3,
};

export function rowCountsForScale(scale: number): Record<Bench3dTable, number> {
  const counts = {} as Record<Bench3dTable, number>;
  for (const [table, rows] of Object.entries(ROWS_AT_SCALE_1) as [Bench3dTable, number][]) {
    counts[table] = Math.max(MINIMUM_ROWS[table], Math.round(rows * scale));
  }
  return counts;
}
