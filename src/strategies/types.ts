import type { ColumnInfo } from '../catalog/types.js';
import type { Params } from '../sql/quote.js';
import type { Strategy } from '../rules/types.js';

export type StrategyOf<K extends Strategy['kind']> = Extract<Strategy, { kind: K }>;

/** How one strategy becomes SQL, and which columns it can change. */
export interface StrategyDefinition<K extends Strategy['kind']> {
  kind: K;
  /**
   * Applying it twice gives what applying it once gave, so "still needs work"
   * is `column IS DISTINCT FROM expression`; otherwise the phase needs `mark`.
   */
  fixedPoint: boolean;
  /** A problem with the column's type, or undefined when it fits. */
  checkColumn(strategy: StrategyOf<K>, column: ColumnInfo): string | undefined;
  /** The new value as a SQL expression of the current one; undefined when values come from Node. */
  toSql(strategy: StrategyOf<K>, current: string, column: ColumnInfo, params: Params): string | undefined;
}

export const isTextual = (column: ColumnInfo) => column.category === 'S';
export const isDateTime = (column: ColumnInfo) => ['date', 'timestamp', 'timestamptz'].includes(column.baseType);
export const isNumeric = (column: ColumnInfo) => column.category === 'N';
export const isNetwork = (column: ColumnInfo) => ['inet', 'cidr'].includes(column.baseType);
export const isJson = (column: ColumnInfo) => ['json', 'jsonb'].includes(column.baseType);
