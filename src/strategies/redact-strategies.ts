import { castTypeOf } from './column-length.js';
import { isJson, isTextual, type StrategyDefinition } from './types.js';

/**
 * `{ mask: { keepStart, keepEnd } }`: `138****1234`. A value too short to
 * keep anything is masked whole, so masking never leaves a value intact.
 */
export const maskStrategy: StrategyDefinition<'mask'> = {
  kind: 'mask',
  fixedPoint: true,
  checkColumn: (_strategy, column) => (isTextual(column) ? undefined : `mask needs a text column; '${column.name}' is ${column.type}`),
  toSql: (strategy, current, column, params) => {
    const keep = strategy.keepStart + strategy.keepEnd;
    const char = params.add(strategy.char, 'text');
    return `(CASE WHEN length(${current}) <= ${keep} THEN repeat(${char}, length(${current}))
      ELSE left(${current}, ${strategy.keepStart}) || repeat(${char}, length(${current}) - ${keep}) || right(${current}, ${strategy.keepEnd}) END)::${castTypeOf(column)}`;
  },
};

/** `{ json: { remove: [keys] } }`: drop top-level keys from a json or jsonb value. */
export const jsonRemoveStrategy: StrategyDefinition<'json-remove'> = {
  kind: 'json-remove',
  fixedPoint: true,
  checkColumn: (_strategy, column) => (isJson(column) ? undefined : `json remove needs a json or jsonb column; '${column.name}' is ${column.type}`),
  toSql: (strategy, current, column, params) => `((${current})::jsonb - ${params.add(strategy.keys, 'text[]')})::${column.type}`,
};
