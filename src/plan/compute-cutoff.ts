import type { Duration } from '../rules/types.js';

/**
 * now - duration, in UTC, with PostgreSQL's calendar semantics for months and
 * years: the day of month is clamped (2026-03-31 - 1mo = 2026-02-28).
 */
export function computeCutoff(now: Date, duration: Duration): Date {
  const { amount, unit } = duration;
  switch (unit) {
    case 'm':
      return new Date(now.getTime() - amount * 60_000);
    case 'h':
      return new Date(now.getTime() - amount * 3_600_000);
    case 'd':
      return new Date(now.getTime() - amount * 86_400_000);
    case 'w':
      return new Date(now.getTime() - amount * 7 * 86_400_000);
    case 'mo':
      return subtractMonths(now, amount);
    case 'y':
      return subtractMonths(now, amount * 12);
  }
}

function subtractMonths(now: Date, months: number): Date {
  const totalMonths = now.getUTCFullYear() * 12 + now.getUTCMonth() - months;
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(now.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(year, month, day, now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds()),
  );
}
