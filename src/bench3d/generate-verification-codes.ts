import type { Faker } from '@faker-js/faker';
import { chunkRows } from './chunk-rows.js';
import type { CopyRow, CopyTarget } from './copy-rows.js';
import { MINUTE_MS, YEAR_MS } from './random-time.js';
import { pickUserActiveAt, randomMobile, type UserProfile } from './generate-users.js';
import { randomDigits } from './random-strings.js';

export const VERIFICATION_CODE_COLUMNS: CopyTarget = {
  table: 'verification_codes',
  columns: ['id', 'user_id', 'phone', 'code', 'purpose', 'created_at', 'expires_at', 'consumed_at'],
};

const USER_PURPOSES = [
  { weight: 65, value: 'login' },
  { weight: 12, value: 'reset_password' },
  { weight: 10, value: 'bind_phone' },
  { weight: 8, value: 'change_phone' },
  { weight: 5, value: 'cancel_account' },
];

/**
 * SMS codes in time order over the last two years; codes valid five minutes, 70% used.
 * Codes sent before an account exists (registration, mistyped numbers) have no user.
 */
export function generateVerificationCodeRows(faker: Faker, count: number, users: readonly UserProfile[], now: Date): Iterable<CopyRow[]> {
  const start = now.getTime() - 2 * YEAR_MS;
  const step = (2 * YEAR_MS) / count;
  return chunkRows(count, (index) => {
    const t = Math.floor(start + (index + faker.number.float()) * step);
    const user = faker.number.float() < 0.85 ? pickUserActiveAt(faker, users, t) : null;
    const purpose = user ? faker.helpers.weightedArrayElement(USER_PURPOSES) : faker.helpers.arrayElement(['register', 'login']);
    const consumed = faker.number.float() < 0.7 ? new Date(t + faker.number.int({ min: 5_000, max: 4.5 * MINUTE_MS })) : null;
    return [
      index + 1,
      user?.id ?? null,
      user?.phone ?? randomMobile(faker),
      randomDigits(faker, 6),
      purpose,
      new Date(t),
      new Date(t + 5 * MINUTE_MS),
      consumed,
    ];
  });
}
