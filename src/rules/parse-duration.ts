/** Durations as written in rule files: `0`, `45m`, `36h`, `30d`, `2w`, `6mo`, `1y`. */
export const DURATION_PATTERN = /^(0|[1-9][0-9]*(m|h|d|w|mo|y))$/;
import type { Duration, DurationUnit } from './types.js';

export function parseDuration(written: string | number): Duration {
  const text = String(written);
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  if (text === '0') return { text, amount: 0, unit: 'd' };
  const unit = match[2] as DurationUnit;
  return { text, amount: Number.parseInt(text, 10), unit };
}

const APPROXIMATE_MS: Record<DurationUnit, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  mo: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

/** For ordering and estimates only; cutoffs use calendar arithmetic (compute-cutoff.ts). */
export function approximateMs(duration: Duration): number {
  return duration.amount * APPROXIMATE_MS[duration.unit];
}

const INTERVAL_UNITS: Record<DurationUnit, string> = { m: 'minutes', h: 'hours', d: 'days', w: 'weeks', mo: 'months', y: 'years' };

/** The same duration as a PostgreSQL interval literal, e.g. `6 months`. */
export function toIntervalLiteral(duration: Duration): string {
  return `${duration.amount} ${INTERVAL_UNITS[duration.unit]}`;
}

/** `250ms`, `1s` -> milliseconds. */
export function parseBatchTarget(text: string): number {
  return text.endsWith('ms') ? Number.parseInt(text, 10) : Number.parseInt(text, 10) * 1000;
}
