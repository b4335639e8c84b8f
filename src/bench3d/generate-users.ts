import type { Faker } from '@faker-js/faker';
import { assignKinds } from './assign-kinds.js';
import { chunkRows } from './chunk-rows.js';
import type { CopyRow, CopyTarget } from './copy-rows.js';
import { DAY_MS, YEAR_MS, isoDate, timeBetween } from './random-time.js';
import { randomAlphanumeric, randomDigits } from './random-strings.js';

export type UserKind = 'adult' | 'cancelled' | 'suspended' | 'minor-with-consent' | 'minor-without-consent';

/** What other tables need to know about a user; ids and created_at rise together, as in a real table. */
export interface UserProfile {
  id: number;
  kind: UserKind;
  phone: string | null;
  createdAt: number;
  /** Set for kind 'cancelled' only. */
  cancelledAt: number | null;
  birthDate: string | null;
  consentAt: number | null;
}

export const USER_COLUMNS: CopyTarget = {
  table: 'users',
  columns: ['id', 'phone', 'nickname', 'avatar_url', 'birth_date', 'guardian_consent', 'guardian_consent_at', 'status', 'created_at', 'cancelled_at', 'last_login_at', 'anonymized_at'],
};

const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159', '166', '173', '177', '180', '181', '182', '185', '186', '187', '188', '189', '198', '199'];

export function randomMobile(faker: Faker): string {
  return faker.helpers.arrayElement(MOBILE_PREFIXES) + randomDigits(faker, 8);
}

/** The facts first (kinds, clocks, birth dates), so every later table can refer to them. */
export function planUsers(faker: Faker, count: number, now: Date): UserProfile[] {
  const end = now.getTime();
  const kinds = assignKinds<UserKind>(
    faker,
    count,
    [
      { kind: 'cancelled', share: 0.08, min: 3 },
      { kind: 'minor-with-consent', share: 0.025, min: 2 },
      { kind: 'minor-without-consent', share: 0.025, min: 2 },
      { kind: 'suspended', share: 0.01, min: 1 },
    ],
    'adult',
  );
  const created = Array.from({ length: count }, () => timeBetween(faker, end - 2 * YEAR_MS, end - DAY_MS)).sort((a, b) => a - b);
  return kinds.map((kind, index) => {
    const createdAt = created[index]!;
    const minor = kind === 'minor-with-consent' || kind === 'minor-without-consent';
    const birthDate = minor
      ? isoDate(timeBetween(faker, end - 14 * YEAR_MS + 2 * DAY_MS, end - 9 * YEAR_MS))
      : faker.number.float() < 0.15
        ? null
        : isoDate(timeBetween(faker, end - 65 * YEAR_MS, end - 16 * YEAR_MS));
    return {
      id: index + 1,
      kind,
      phone: faker.number.float() < 0.93 ? randomMobile(faker) : null,
      createdAt,
      cancelledAt: kind === 'cancelled' ? timeBetween(faker, Math.max(createdAt + DAY_MS, end - YEAR_MS), end) : null,
      birthDate,
      consentAt: kind === 'minor-with-consent' ? timeBetween(faker, createdAt - 3 * DAY_MS, createdAt) : null,
    };
  });
}

/** The last instant a user could have done anything. */
export function activeUntil(user: UserProfile, now: Date): number {
  return user.cancelledAt ?? now.getTime();
}

/**
 * A random user who had an account at instant t (created before, not yet cancelled), or null
 * when the draw finds none. users must be sorted by createdAt, as planUsers returns them.
 */
export function pickUserActiveAt(faker: Faker, users: readonly UserProfile[], t: number): UserProfile | null {
  let low = 0;
  let high = users.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (users[mid]!.createdAt <= t) low = mid + 1;
    else high = mid;
  }
  if (low === 0) return null;
  for (let attempt = 0; attempt < 4; attempt++) {
    const user = users[faker.number.int({ min: 0, max: low - 1 })]!;
    if (user.cancelledAt === null || user.cancelledAt > t) return user;
  }
  return null;
}

/** The personal details, drawn lazily chunk by chunk from their own faker stream. */
export function generateUserRows(faker: Faker, users: readonly UserProfile[], now: Date): Iterable<CopyRow[]> {
  return chunkRows(users.length, (index) => {
    const user = users[index]!;
    const nickname = faker.number.float() < 0.85 ? (faker.datatype.boolean() ? faker.person.fullName() : faker.internet.username()) : null;
    const avatar = faker.number.float() < 0.6 ? `https://cdn.bench3d.example/avatars/${user.id}/${randomAlphanumeric(faker, 16)}.jpg` : null;
    const lastLogin = faker.number.float() < 0.95 ? timeBetween(faker, user.createdAt, activeUntil(user, now)) : null;
    return [
      user.id,
      user.phone,
      nickname,
      avatar,
      user.birthDate,
      user.consentAt !== null,
      user.consentAt === null ? null : new Date(user.consentAt),
      user.kind === 'cancelled' ? 'cancelled' : user.kind === 'suspended' ? 'suspended' : 'active',
      new Date(user.createdAt),
      user.cancelledAt === null ? null : new Date(user.cancelledAt),
      lastLogin === null ? null : new Date(lastLogin),
      null,
    ];
  });
}
