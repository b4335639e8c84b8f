import type { DurationUnit } from './types.js';

const UNIT_WORDS: [RegExp, DurationUnit][] = [
  [/^(mo|mos|mon|mons|month|months|mth|mths|M)$/, 'mo'],
  [/^(y|yr|yrs|year|years|Y)$/, 'y'],
  [/^(w|wk|wks|week|weeks|W)$/, 'w'],
  [/^(d|day|days|D)$/, 'd'],
  [/^(h|hr|hrs|hour|hours|H)$/, 'h'],
  [/^(m|min|mins|minute|minutes)$/, 'm'],
];

/** Each unit in the next smaller one, for fractions: 1.5d is 36h. */
const SMALLER: Partial<Record<DurationUnit, [DurationUnit, number]>> = { y: ['mo', 12], mo: ['d', 30], w: ['d', 7], d: ['h', 24], h: ['m', 60] };

/**
 * Why a written `after` is not a duration, and what was probably meant:
 * `0d` -> write 0, `90s` -> 2m, `6M` / `P6M` / `6 months` -> 6mo, `1.5d` -> 36h.
 */
export function explainBadDuration(value: unknown): string {
  const base = 'expected a duration like 0, 45m, 36h, 30d, 2w, 6mo or 1y';
  if (typeof value === 'number') {
    if (value < 0) return `${base}, got number ${value}: a duration cannot be negative`;
    return Number.isInteger(value) ? `${base}, got number ${value}: a duration needs a unit; did you mean ${value}d?` : `${base}, got number ${value}`;
  }
  if (typeof value !== 'string') return `${base}, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`}`;
  const got = `${base}, got ${JSON.stringify(value)}`;
  const text = value.trim();
  if (/^-/.test(text)) return `${got}: a duration cannot be negative; it is an age on the clock (0 for "as soon as the clock is set")`;
  const iso = isoDuration(text);
  if (iso) return `${got}: ISO 8601 durations are not supported; ${iso}`;
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(text);
  if (!match) return got;
  const [, amountText, unitText] = match as unknown as [string, string, string];
  const amount = Number(amountText);
  if (/^(s|sec|secs|second|seconds|ms)$/i.test(unitText)) {
    const seconds = unitText.toLowerCase() === 'ms' ? amount / 1000 : amount;
    return `${got}: seconds are not supported, use ${Math.max(1, Math.ceil(seconds / 60))}m`;
  }
  const unit = UNIT_WORDS.find(([pattern]) => pattern.test(unitText) || pattern.test(unitText.toLowerCase()))?.[1];
  if (!unit) return got;
  if (amount === 0) return `${got}: write 0 (a zero duration has no unit)`;
  if (!Number.isInteger(amount)) {
    const smaller = SMALLER[unit];
    const converted = smaller ? amount * smaller[1] : undefined;
    return converted !== undefined && Number.isInteger(converted) ? `${got}: whole numbers only; did you mean ${converted}${smaller![0]}?` : `${got}: whole numbers only`;
  }
  const suggestion = `${amount}${unit}`;
  if (unitText === 'M') return `${got}: did you mean ${suggestion}? (months are mo, minutes are m)`;
  return `${got}: did you mean ${suggestion}?`;
}

/** `P6M` -> "did you mean 6mo?"; `PT30M` -> "did you mean 30m?"; several parts -> say so. */
function isoDuration(text: string): string | undefined {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text);
  if (!match || text.length < 3) return undefined;
  const units: (DurationUnit | 's')[] = ['y', 'mo', 'w', 'd', 'h', 'm', 's'];
  const parts = units.flatMap((unit, index) => (match[index + 1] === undefined ? [] : [{ unit, amount: Number(match[index + 1]) }]));
  if (parts.length !== 1) return 'write one amount and one unit, e.g. 6mo';
  const [{ unit, amount }] = parts as [{ unit: DurationUnit | 's'; amount: number }];
  if (unit === 's') return `seconds are not supported, use ${Math.max(1, Math.ceil(amount / 60))}m`;
  if (amount === 0) return 'write 0';
  return `did you mean ${amount}${unit}?`;
}
