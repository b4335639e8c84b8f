import { Faker, en } from '@faker-js/faker';
import type { StrategyDefinition, StrategyOf } from './types.js';

/**
 * `{ fake: module.method }`: a random value from faker, never derived from the
 * original. Made in bulk in Node and applied set-based by the executor.
 */
export const fakeStrategy: StrategyDefinition<'fake'> = {
  kind: 'fake',
  fixedPoint: false,
  checkColumn: () => undefined,
  toSql: () => undefined,
};

/** Unseeded on purpose: a seeded generator would make "random" values reproducible. */
export function createFakeGenerator(): (strategy: StrategyOf<'fake'>) => string {
  const faker = new Faker({ locale: [en] });
  return (strategy) => {
    const module = (faker as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>)[strategy.module]!;
    const value = module[strategy.method]!.call(module);
    return value instanceof Date ? value.toISOString() : String(value);
  };
}

export function fakeValues(strategy: StrategyOf<'fake'>, count: number, generate = createFakeGenerator()): string[] {
  return Array.from({ length: count }, () => generate(strategy));
}
