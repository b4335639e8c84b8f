import type { Faker } from '@faker-js/faker';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
export const YEAR_MS = 365.25 * DAY_MS;

/** A whole millisecond in [from, to]; to before from gives from. */
export function timeBetween(faker: Faker, from: number, to: number): number {
  if (to <= from) return from;
  return faker.number.int({ min: Math.ceil(from), max: Math.floor(to) });
}

/** YYYY-MM-DD of a UTC instant, for date columns. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
