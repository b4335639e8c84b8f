import { LetheError } from '../errors.js';

/** Flag parsers: each turns bad input into one USAGE line naming the flag. */

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/**
 * `--now`: a date (midnight UTC) or a date and time with a zone. A time
 * without a zone would mean different instants on different machines, and a
 * date that does not exist (2026-02-30) is refused rather than rolled over.
 */
export function parseNow(text: string | undefined, fallback: () => Date): Date {
  if (text === undefined) return fallback();
  const value = text.trim();
  const match = ISO_INSTANT.exec(value);
  const date = new Date(value.replace(' ', 'T'));
  const calendarDay = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  const dayExists = calendarDay !== undefined && calendarDay.getUTCDate() === Number(match![3]) && calendarDay.getUTCMonth() === Number(match![2]) - 1;
  if (!match || Number.isNaN(date.getTime()) || !dayExists) {
    throw new LetheError('USAGE', `--now must be an ISO 8601 date like 2026-11-25 or 2026-11-25T03:00:00Z (a time needs a zone), got ${text}`);
  }
  return date;
}

export function parseOnly(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = text.split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) throw new LetheError('USAGE', '--only: expected rule ids separated by commas');
  return ids;
}

export function parsePositiveInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(text)) throw new LetheError('USAGE', `${flag} must be a positive whole number, got ${text}`);
  return Number(text);
}

export function parsePositiveNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new LetheError('USAGE', `${flag} must be a positive number, got ${text}`);
  return value;
}

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `15m`, `2h`, `1d` -> milliseconds. */
export function parseDurationFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^([0-9]+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new LetheError('USAGE', `${flag}: expected a duration like 500ms, 30s, 15m, 2h or 1d, got ${text}`);
  return Number(match[1]) * DURATION_MS[match[2]!]!;
}

/** `--scale` of synthetic data: any positive number (0.1 is a tenth of scale 1). */
export function parseScale(value: string): number {
  const scale = Number(value);
  if (value.trim() === '' || !Number.isFinite(scale) || scale <= 0) {
    throw new LetheError('USAGE', `--scale must be a positive number, got ${value}`);
  }
  return scale;
}

/** `--seed`: the same seed gives the same data. */
export function parseSeed(value: string): number {
  const seed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(seed)) {
    throw new LetheError('USAGE', `--seed must be a non-negative integer, got ${value}`);
  }
  return seed;
}

/** `--plan-tolerance`: `5%` or `0.05`, a share of the approved rows a run may exceed them by. */
export function parseTolerance(text: string | undefined): number {
  if (text === undefined) return 0;
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!Number.isFinite(value) || value < 0 || value > 10) throw new LetheError('USAGE', `--plan-tolerance: expected a share like 5% or 0.05, got ${text}`);
  return value;
}

/** `--override-guard a,b --override-guard c` -> [a, b, c]. */
export function collectIds(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((id) => id.trim()).filter(Boolean)];
}
