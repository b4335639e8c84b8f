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

type FakerModules = Record<string, Record<string, unknown> | undefined>;

/** faker's modules and, for one module, its methods (they live on the module's prototype chain). */
export function fakeModuleNames(faker: Faker): string[] {
  return Object.keys(faker).filter((name) => !name.startsWith('_') && name !== 'fakerCore' && name !== 'definitions' && typeof (faker as unknown as FakerModules)[name] === 'object');
}

export function fakeMethodNames(faker: Faker, module: string): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf((faker as unknown as FakerModules)[module] ?? {}); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor' && !name.startsWith('_')) names.add(name);
  }
  return [...names];
}

/**
 * Calls `module.method()` once without arguments, as the executor will: a
 * method that needs arguments (helpers.arrayElement) throws or returns nothing
 * a column can hold. Returns why it cannot be used, or undefined.
 */
export function tryFakeWithoutArguments(faker: Faker, module: string, method: string): string | undefined {
  const target = (faker as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>)[module]!;
  let value: unknown;
  try {
    value = target[method]!.call(target);
  } catch (error) {
    return `faker's ${module}.${method} cannot be called without arguments (${(error as Error)?.message ?? String(error)})`;
  }
  if (value === undefined || value === null || typeof value === 'function' || (typeof value === 'object' && !(value instanceof Date))) {
    return `faker's ${module}.${method} called without arguments returns ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}, not a value a column can hold`;
  }
  return undefined;
}
