import type { Faker } from '@faker-js/faker';
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

let fakerModule: Promise<typeof import('@faker-js/faker')> | undefined;

/** faker takes a third of a second to load: only commands whose rules use it pay for it. */
export async function loadFaker(): Promise<Faker> {
  fakerModule ??= import('@faker-js/faker');
  const { Faker: FakerClass, en } = await fakerModule;
  return new FakerClass({ locale: [en] });
}

/** Unseeded on purpose: a seeded generator would make "random" values reproducible. */
export async function createFakeGenerator(): Promise<(strategy: StrategyOf<'fake'>) => string> {
  const faker = await loadFaker();
  return (strategy) => {
    const module = (faker as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>)[strategy.module]!;
    const value = module[strategy.method]!.call(module);
    return value instanceof Date ? value.toISOString() : String(value);
  };
}

/** Whether faker has `module.method`, for the rule checks. */
export function hasFakeMethod(faker: Faker, module: string, method: string): boolean {
  const candidate = (faker as unknown as Record<string, Record<string, unknown> | undefined>)[module];
  return typeof candidate?.[method] === 'function';
}
