import type { Faker } from '@faker-js/faker';
import { assignKinds } from './assign-kinds.js';
import { chunkRows } from './chunk-rows.js';
import type { CopyRow, CopyTarget } from './copy-rows.js';
import { DAY_MS, timeBetween } from './random-time.js';
import { activeUntil, type UserProfile } from './generate-users.js';
import { randomAlphanumeric, randomDigits, randomHex, randomUuid } from './random-strings.js';

export const THIRD_PARTY_LOGIN_COLUMNS: CopyTarget = {
  table: 'third_party_logins',
  columns: ['id', 'user_id', 'provider', 'provider_uid', 'nickname', 'avatar_url', 'bound_at', 'unbound_at'],
};

type Provider = 'wechat' | 'qq' | 'weibo' | 'apple';

const PROVIDERS: { weight: number; value: Provider }[] = [
  { weight: 55, value: 'wechat' },
  { weight: 20, value: 'qq' },
  { weight: 10, value: 'weibo' },
  { weight: 15, value: 'apple' },
];

/**
 * Accounts bound from WeChat, QQ, Weibo and Sign in with Apple, 15% of them unbound since.
 * Small enough to build in memory; ids follow bound_at as they would in the service.
 */
export function generateThirdPartyLoginRows(faker: Faker, count: number, users: readonly UserProfile[], now: Date): Iterable<CopyRow[]> {
  const unbound = assignKinds(faker, count, [{ kind: 'unbound', share: 0.15, min: 2 }], 'bound');
  const seen = new Set<string>();
  const logins = unbound.map((state) => {
    const user = faker.helpers.arrayElement(users);
    const end = activeUntil(user, now);
    const provider = faker.helpers.weightedArrayElement(PROVIDERS);
    let uid = providerUid(faker, provider);
    while (seen.has(`${provider}:${uid}`)) uid = providerUid(faker, provider);
    seen.add(`${provider}:${uid}`);
    const boundAt = timeBetween(faker, user.createdAt, end);
    return {
      userId: user.id,
      provider,
      uid,
      nickname: faker.number.float() < 0.9 ? faker.internet.displayName() : null,
      avatar: faker.number.float() < 0.8 ? avatarUrl(faker, provider) : null,
      boundAt,
      unboundAt: state === 'unbound' ? timeBetween(faker, Math.min(boundAt + DAY_MS, end), end) : null,
    };
  });
  logins.sort((a, b) => a.boundAt - b.boundAt);
  return chunkRows(logins.length, (index) => {
    const login = logins[index]!;
    return [
      index + 1,
      login.userId,
      login.provider,
      login.uid,
      login.nickname,
      login.avatar,
      new Date(login.boundAt),
      login.unboundAt === null ? null : new Date(login.unboundAt),
    ];
  });
}

/** Identifiers shaped like each provider's own. */
function providerUid(faker: Faker, provider: Provider): string {
  switch (provider) {
    case 'wechat':
      return `o${randomAlphanumeric(faker, 27)}`;
    case 'qq':
      return randomHex(faker, 32).toUpperCase();
    case 'weibo':
      return randomDigits(faker, 10, { leadingZero: false });
    case 'apple':
      return `00${randomDigits(faker, 4)}.${randomHex(faker, 32)}.${randomDigits(faker, 4)}`;
  }
}

function avatarUrl(faker: Faker, provider: Provider): string {
  switch (provider) {
    case 'wechat':
      return `https://thirdwx.qlogo.cn/mmopen/vi_32/${randomAlphanumeric(faker, 48)}/132`;
    case 'qq':
      return `https://thirdqq.qlogo.cn/g?b=oidb&k=${randomAlphanumeric(faker, 24)}&s=100`;
    case 'weibo':
      return `https://tvax1.sinaimg.cn/crop.0.0.180.180.180/${randomAlphanumeric(faker, 20)}.jpg`;
    case 'apple':
      return `https://cdn.bench3d.example/apple-avatars/${randomUuid(faker)}.png`;
  }
}
