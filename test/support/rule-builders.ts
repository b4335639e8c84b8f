import { DEFAULT_GUARD } from '../../src/rules/types.js';
import type { Phase, Rule } from '../../src/rules/types.js';
import { DEFAULT_BATCH } from '../../src/rules/types.js';

/** A small valid rule for unit tests; override what the test is about. */
export function buildRule(overrides: Partial<Rule> = {}): Rule {
  return {
    id: 'device-logs',
    category: 'device-logs',
    description: undefined,
    source: { file: 'rules/device-logs.yaml', line: 3, column: 5, locate: (path) => ({ line: 3, column: 5, path: ['rules', 0, ...path].join('.') }) },
    table: { schema: undefined, name: 'device_logs' },
    key: undefined,
    subject: 'device_logs.user_id',
    subjectKind: undefined,
    clock: 'device_logs.created_at',
    join: undefined,
    where: undefined,
    hold: undefined,
    schedule: undefined,
    timezone: 'UTC',
    cascade: [],
    after: [],
    partitions: 'auto',
    guard: DEFAULT_GUARD,
    phases: [buildPhase()],
    batch: DEFAULT_BATCH,
    ...overrides,
  };
}

export function buildPhase(overrides: Partial<Phase> = {}): Phase {
  return { index: 0, after: { text: '180d', amount: 180, unit: 'd' }, action: 'delete', set: [], mark: undefined, ...overrides };
}
