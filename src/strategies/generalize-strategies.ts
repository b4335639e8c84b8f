import { castTypeOf } from './column-length.js';
import { isDateTime, isNetwork, isNumeric, isTextual, type StrategyDefinition } from './types.js';

/** `{ generalize: ip, bits: N }`: keep the network, drop the host part. */
export const generalizeIpStrategy: StrategyDefinition<'generalize-ip'> = {
  kind: 'generalize-ip',
  fixedPoint: true,
  checkColumn: (_strategy, column) =>
    isNetwork(column) || isTextual(column) ? undefined : `generalize ip needs an inet, cidr or text column; '${column.name}' is ${column.type}`,
  toSql: (strategy, current, column) => {
    const bits = String(strategy.bits);
    const network = `network(set_masklen((${current})::inet, least(${bits}, CASE WHEN family((${current})::inet) = 4 THEN 32 ELSE 128 END)))`;
    return isNetwork(column) ? `(${network})::${column.type}` : `host(${network})::${castTypeOf(column)}`;
  },
};

/** `{ generalize: date, to: month }`: truncate to the start of the period (in UTC). */
export const generalizeDateStrategy: StrategyDefinition<'generalize-date'> = {
  kind: 'generalize-date',
  fixedPoint: true,
  checkColumn: (_strategy, column) => (isDateTime(column) ? undefined : `generalize date needs a date or timestamp column; '${column.name}' is ${column.type}`),
  toSql: (strategy, current, column) => `date_trunc('${strategy.to}', ${current})::${column.type}`,
};

/** `{ generalize: number, step: N }`: round down to a multiple of N. */
export const generalizeNumberStrategy: StrategyDefinition<'generalize-number'> = {
  kind: 'generalize-number',
  fixedPoint: true,
  checkColumn: (_strategy, column) => (isNumeric(column) ? undefined : `generalize number needs a numeric column; '${column.name}' is ${column.type}`),
  toSql: (strategy, current, column, params) => {
    const step = params.add(String(strategy.step), 'numeric');
    return `(floor((${current})::numeric / ${step}) * ${step})::${column.type}`;
  },
};
