import type { Strategy } from '../rules/types.js';

/**
 * What a strategy does to a value, in words for a preview: `hmac`, `removes
 * gps`, `masked, keeps 3+2`. Built from the rule alone, never from a value.
 */
export function describeStrategy(strategy: Strategy): string {
  switch (strategy.kind) {
    case 'null':
      return 'null';
    case 'value':
      return 'constant';
    case 'fake':
      return `fake ${strategy.module}.${strategy.method}`;
    case 'generalize-ip':
      return `network /${strategy.bits}`;
    case 'generalize-date':
      return `truncated to ${strategy.to}`;
    case 'generalize-number':
      return `rounded down to a multiple of ${strategy.step}`;
    case 'mask':
      return `masked, keeps ${strategy.keepStart}+${strategy.keepEnd}`;
    case 'json-remove':
      return `removes ${strategy.keys.join(', ')}`;
    case 'hash':
      return 'hmac';
  }
}
