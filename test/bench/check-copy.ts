import type pg from 'pg';
import type { BenchCase } from './bench-cases.js';

export interface CopyState {
  /** Rows left and a hash of the deterministic columns; equal on both sides of a case. */
  fingerprint: string;
  /** Expired rows that still need the case's work. */
  pending: number;
}

export async function readCopyState(client: pg.Client, benchCase: BenchCase, table: string, cutoff: string, subjects: string[] = []): Promise<CopyState> {
  const fingerprint = await client.query<[string]>({ text: benchCase.fingerprint(table), rowMode: 'array' });
  const pendingSql = benchCase.pending(table, cutoff, subjects);
  const pending = await client.query<{ n: number }>(pendingSql.text, pendingSql.values);
  return { fingerprint: fingerprint.rows[0]![0], pending: Number(pending.rows[0]!.n) };
}

/** What is wrong with Lethe's copy compared with the reference's; empty when nothing is. */
export function compareCopies(
  reference: CopyState & { rows: number },
  lethe: CopyState & { rows: number },
): string[] {
  const problems: string[] = [];
  if (lethe.rows !== reference.rows) problems.push(`Lethe handled ${lethe.rows} rows, the reference ${reference.rows}`);
  if (lethe.fingerprint !== reference.fingerprint) problems.push(`copies differ: Lethe ${lethe.fingerprint}, reference ${reference.fingerprint}`);
  if (lethe.pending !== 0) problems.push(`${lethe.pending} expired rows still need work after Lethe`);
  if (reference.pending !== 0) problems.push(`${reference.pending} expired rows still need work after the reference`);
  return problems;
}
