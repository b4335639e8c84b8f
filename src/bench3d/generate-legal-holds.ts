import type { Faker } from '@faker-js/faker';
import { chunkRows } from './chunk-rows.js';
import type { CopyRow, CopyTarget } from './copy-rows.js';
import { DAY_MS, YEAR_MS, timeBetween } from './random-time.js';
import type { UserKind, UserProfile } from './generate-users.js';

export const LEGAL_HOLD_COLUMNS: CopyTarget = {
  table: 'legal_holds',
  columns: ['id', 'user_id', 'reason', 'placed_at', 'released_at'],
};

const REASONS = [
  'tax audit: transaction records kept 7 years',
  'court order (civil litigation)',
  'fraud investigation',
  'consumer dispute under review',
  'regulator inquiry (CAC)',
  'public security bureau request',
];

/**
 * The subjects cycle through the cases that make holds matter: cancelled accounts, children
 * with and without consent, and ordinary users. Every third hold has been released, so holds
 * 1 and 2 (a cancelled user and a child without consent) are always active.
 */
const SUBJECT_CYCLE: readonly (UserKind | 'any')[] = ['cancelled', 'minor-without-consent', 'any', 'minor-with-consent', 'cancelled', 'any'];

export function generateLegalHoldRows(faker: Faker, count: number, users: readonly UserProfile[], now: Date): Iterable<CopyRow[]> {
  const end = now.getTime();
  const taken = new Set<number>();
  const byKind = new Map<UserKind, UserProfile[]>();
  for (const user of users) {
    const pool = byKind.get(user.kind);
    if (pool) pool.push(user);
    else byKind.set(user.kind, [user]);
  }
  const holds = Array.from({ length: count }, (_, index) => {
    const wanted = SUBJECT_CYCLE[index % SUBJECT_CYCLE.length]!;
    const user = pickUntaken(faker, wanted === 'any' ? users : (byKind.get(wanted) ?? []), users, taken);
    taken.add(user.id);
    const placedAt = timeBetween(faker, Math.max(user.createdAt, end - YEAR_MS), end - DAY_MS);
    const released = index % 3 === 2;
    return {
      userId: user.id,
      reason: faker.helpers.arrayElement(REASONS),
      placedAt,
      releasedAt: released ? timeBetween(faker, placedAt + DAY_MS, end) : null,
    };
  });
  holds.sort((a, b) => a.placedAt - b.placedAt);
  return chunkRows(holds.length, (index) => {
    const hold = holds[index]!;
    return [index + 1, hold.userId, hold.reason, new Date(hold.placedAt), hold.releasedAt === null ? null : new Date(hold.releasedAt)];
  });
}

/** A user of the wanted kind not held yet; any user not held yet when none is left (tiny scales). */
function pickUntaken(faker: Faker, pool: readonly UserProfile[], users: readonly UserProfile[], taken: ReadonlySet<number>): UserProfile {
  for (const candidates of [pool, users]) {
    for (let attempt = 0; attempt < 8 && candidates.length > 0; attempt++) {
      const user = faker.helpers.arrayElement(candidates);
      if (!taken.has(user.id)) return user;
    }
    const left = candidates.filter((user) => !taken.has(user.id));
    if (left.length > 0) return faker.helpers.arrayElement(left);
  }
  return faker.helpers.arrayElement(users);
}
