import { LetheError } from '../errors.js';

/** Flag parsers: each turns bad input into one USAGE line naming the flag. */

export function parseNow(text: string | undefined, fallback: () => Date): Date {
  if (text === undefined) return fallback();
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw new LetheError('USAGE', `--now: not an ISO date or time: ${text}`, { hint: 'e.g. --now 2026-11-25 or --now 2026-11-25T03:00:00Z' });
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
