import type { ColumnInfo } from '../catalog/types.js';
import type { Strategy } from '../rules/types.js';
import type { Params } from '../sql/quote.js';
import { fakeStrategy } from './fake-strategy.js';
import { generalizeDateStrategy, generalizeIpStrategy, generalizeNumberStrategy } from './generalize-strategies.js';
import { hashStrategy } from './hash-strategy.js';
import { jsonRemoveStrategy, maskStrategy } from './redact-strategies.js';
import { nullStrategy, valueStrategy } from './simple-strategies.js';
import type { StrategyDefinition } from './types.js';

const DEFINITIONS: { [K in Strategy['kind']]: StrategyDefinition<K> } = {
  null: nullStrategy,
  value: valueStrategy,
  fake: fakeStrategy,
  'generalize-ip': generalizeIpStrategy,
  'generalize-date': generalizeDateStrategy,
  'generalize-number': generalizeNumberStrategy,
  mask: maskStrategy,
  'json-remove': jsonRemoveStrategy,
  hash: hashStrategy,
};

function definitionOf(strategy: Strategy): StrategyDefinition<Strategy['kind']> {
  return DEFINITIONS[strategy.kind] as StrategyDefinition<Strategy['kind']>;
}

export function isFixedPoint(strategy: Strategy): boolean {
  return definitionOf(strategy).fixedPoint;
}

export function checkStrategyColumn(strategy: Strategy, column: ColumnInfo): string | undefined {
  return definitionOf(strategy).checkColumn(strategy as never, column);
}

/** SQL for the new value, or undefined when the value is made in Node (fake, hash). */
export function strategySql(strategy: Strategy, current: string, column: ColumnInfo, params: Params): string | undefined {
  return definitionOf(strategy).toSql(strategy as never, current, column, params);
}

export { createFakeGenerator, hasFakeMethod, loadFaker } from './fake-strategy.js';
export { hashInNode, keyId, legacyKeyId } from './hash-strategy.js';
