import type { StrategyDefinition } from './types.js';

/** `null`: the value is gone. */
export const nullStrategy: StrategyDefinition<'null'> = {
  kind: 'null',
  fixedPoint: true,
  checkColumn: (_strategy, column) => (column.notNull ? `column '${column.name}' is NOT NULL and cannot be set to null; use { value: ... }` : undefined),
  toSql: () => 'NULL',
};

/** `{ value: X }`: one constant for every row, cast to the column's type. */
export const valueStrategy: StrategyDefinition<'value'> = {
  kind: 'value',
  fixedPoint: true,
  checkColumn: () => undefined,
  toSql: (strategy, _current, column, params) => params.add(String(strategy.value), column.type),
};
