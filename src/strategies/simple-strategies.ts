import type { StrategyDefinition } from './types.js';
import { castTypeOf, characterLength, maxCharacters } from './column-length.js';

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
  checkColumn: (strategy, column) => {
    // A cast to varchar(n) would silently keep only the first n characters.
    const max = maxCharacters(column);
    const length = characterLength(String(strategy.value));
    return max !== undefined && length > max ? `the value is ${length} characters long but column '${column.name}' is ${column.type}: it would be cut to ${max}; shorten it` : undefined;
  },
  toSql: (strategy, _current, column, params) => params.add(String(strategy.value), castTypeOf(column)),
};
