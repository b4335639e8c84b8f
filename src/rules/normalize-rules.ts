import { parseBatchTarget, parseDuration } from './parse-duration.js';
import type { WrittenRule, WrittenSettings, WrittenStrategy } from './rule-schema.js';
import type { BatchSettings, ColumnChange, GuardSettings, Rule, Strategy, TableName } from './types.js';
import { DEFAULT_BATCH, DEFAULT_GUARD } from './types.js';
import { formatPath, locate, type PositionedDocument } from './yaml-positions.js';

export interface Defaults {
  batch: BatchSettings;
  timezone: string;
  guard: GuardSettings;
}

export function normalizeDefaults(settings: WrittenSettings | undefined): Defaults {
  return {
    batch: mergeBatch(DEFAULT_BATCH, settings?.defaults?.batch),
    timezone: settings?.defaults?.timezone ?? 'UTC',
    guard: mergeGuard(DEFAULT_GUARD, settings?.defaults?.guard),
  };
}

/** Written rule -> Rule: names split, defaults applied, strategies tagged by kind. */
export function normalizeRule(
  written: WrittenRule,
  category: string,
  positioned: PositionedDocument,
  index: number,
  defaults: Defaults,
  /** Where each written phase stands in the file, when some could not be read (see parse-rule-file.ts). */
  phaseIndexes?: number[],
): Rule {
  return {
    id: written.id,
    category,
    description: written.description,
    source: {
      file: positioned.file,
      ...locate(positioned, ['rules', index]),
      locate: (path) => ({ ...locate(positioned, ['rules', index, ...path]), path: formatPath(['rules', index, ...path]) }),
    },
    table: parseTableName(written.table),
    key: written.key === undefined ? undefined : Array.isArray(written.key) ? written.key : [written.key],
    subject: written.subject,
    clock: written.clock,
    join: written.join,
    where: written.where,
    hold: written.hold,
    schedule: written.schedule,
    timezone: written.timezone ?? defaults.timezone,
    cascade: (written.cascade ?? []).map(parseTableName),
    partitions: written.partitions ?? 'auto',
    guard: mergeGuard(defaults.guard, written.guard),
    batch: mergeBatch(defaults.batch, written.batch),
    phases: written.phases.map((phase, phaseIndex) => ({
      index: phaseIndexes?.[phaseIndex] ?? phaseIndex,
      after: parseDuration(phase.after),
      action: phase.action,
      set: Object.entries(phase.set ?? {}).map(([column, strategy]): ColumnChange => ({ column, strategy: normalizeStrategy(strategy) })),
      mark: phase.mark,
    })),
  };
}

export function parseTableName(text: string): TableName {
  const dot = text.indexOf('.');
  return dot === -1 ? { schema: undefined, name: text } : { schema: text.slice(0, dot), name: text.slice(dot + 1) };
}

function mergeGuard(base: GuardSettings, written: Partial<Record<keyof GuardSettings, number | undefined>> | undefined): GuardSettings {
  return {
    maxRows: written?.maxRows ?? base.maxRows,
    maxShare: written?.maxShare ?? base.maxShare,
    maxGrowth: written?.maxGrowth ?? base.maxGrowth,
    minRows: written?.minRows ?? base.minRows,
  };
}

function mergeBatch(base: BatchSettings, written: { target?: string | undefined; maxRows?: number | undefined } | undefined): BatchSettings {
  return {
    targetMs: written?.target ? parseBatchTarget(written.target) : base.targetMs,
    maxRows: written?.maxRows ?? base.maxRows,
  };
}

export function normalizeStrategy(written: WrittenStrategy): Strategy {
  if (written === null) return { kind: 'null' };
  if ('value' in written) return { kind: 'value', value: written.value };
  if ('fake' in written) {
    const [module, method] = written.fake.split('.') as [string, string];
    return { kind: 'fake', module, method };
  }
  if ('mask' in written) return { kind: 'mask', keepStart: written.mask.keepStart, keepEnd: written.mask.keepEnd, char: written.mask.char };
  if ('json' in written) return { kind: 'json-remove', keys: written.json.remove };
  if ('hash' in written) return { kind: 'hash', secretEnv: written.hash };
  if (written.generalize === 'ip') return { kind: 'generalize-ip', bits: written.bits };
  if (written.generalize === 'date') return { kind: 'generalize-date', to: written.to };
  return { kind: 'generalize-number', step: written.step };
}
