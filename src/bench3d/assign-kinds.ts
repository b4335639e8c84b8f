import type { Faker } from '@faker-js/faker';

export interface KindShare<K extends string> {
  kind: K;
  /** Fraction of all items, e.g. 0.08. */
  share: number;
  /** At least this many whenever there are enough items, so small scales still have every shape. */
  min?: number;
}

/**
 * Gives exactly round(share * count) items (at least min) each kind, at shuffled positions;
 * every other item gets the fallback kind. Exact counts keep every shape present at any seed.
 */
export function assignKinds<K extends string>(faker: Faker, count: number, shares: readonly KindShare<K>[], fallback: K): K[] {
  const kinds: K[] = [];
  for (const { kind, share, min = 0 } of shares) {
    const wanted = Math.max(min, Math.round(share * count));
    for (let i = 0; i < wanted && kinds.length < count; i++) kinds.push(kind);
  }
  while (kinds.length < count) kinds.push(fallback);
  return faker.helpers.shuffle(kinds, { inplace: true });
}
