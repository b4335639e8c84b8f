import { CronExpressionParser } from 'cron-parser';

/**
 * cron-parser 5 accepts some field counts we do not, and only rejects an
 * unknown timezone when iterating: both are checked here first.
 */
export function checkCron(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    return `expected 5 fields (minute hour day month weekday) or 6 (with seconds first), got ${fields.length}`;
  }
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return undefined;
  } catch (error) {
    return `invalid cron expression: ${(error as Error).message}`;
  }
}

const knownTimezones = new Map<string, boolean>();

/** Asked once per rule: a thousand rules in one zone build one formatter, not a thousand. */
export function isValidTimezone(timezone: string): boolean {
  let valid = knownTimezones.get(timezone);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
      valid = true;
    } catch {
      valid = false;
    }
    knownTimezones.set(timezone, valid);
  }
  return valid;
}

/** The next `count` fire times strictly after `from`. */
export function nextFireTimes(expression: string, timezone: string, from: Date, count: number): Date[] {
  const iterator = CronExpressionParser.parse(expression, { currentDate: from, tz: timezone });
  return Array.from({ length: count }, () => iterator.next().toDate());
}

/** The latest fire time at or before `at`, or undefined if there is none. */
export function previousFireTime(expression: string, timezone: string, at: Date): Date | undefined {
  const iterator = CronExpressionParser.parse(expression, { currentDate: new Date(at.getTime() + 1), tz: timezone });
  try {
    return iterator.prev().toDate();
  } catch {
    return undefined;
  }
}
