import { Faker, en, zh_CN } from '@faker-js/faker';

/**
 * Each table draws from its own faker stream, seeded with (seed, stream), so changing how one
 * table is generated never shifts the values of another. Simplified Chinese first, English as
 * the fallback for what zh_CN lacks.
 */
export function createSeededFaker(seed: number, stream: number, now: Date): Faker {
  const faker = new Faker({ locale: [zh_CN, en] });
  faker.seed([seed, stream]);
  // Anything that would default to "today" anchors on the seed's now instead.
  faker.setDefaultRefDate(now);
  return faker;
}

/** Stable stream numbers: append new ones, never renumber. */
export const FAKER_STREAMS = {
  userFacts: 1,
  userDetails: 2,
  devices: 3,
  deviceLogs: 4,
  thirdPartyLogins: 5,
  verificationCodes: 6,
  models: 7,
  modelMetadata: 8,
  legalHolds: 9,
} as const;
